"""
Who is asking: the one place that finds a request's client address.

Behind SCOMM_PROXY_COUNT trusted proxies, each proxy appends the address it
received the request from to X-Forwarded-For; the client is therefore the
SCOMM_PROXY_COUNT-th address counted from the right. Anything left of it was
written by the client and may be made up, so it is never read. With no proxy
(the default) the header is ignored and the address is REMOTE_ADDR.

The sign-in lockout (django-axes, AXES_CLIENT_IP_CALLABLE), the public API's
limit and the follow-by-email limits all count by this address.
"""

import ipaddress

from django.conf import settings


def _address(value: str) -> str | None:
    """An IP address in its one written form, a port dropped; None when it is not one."""
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 192.0.2.1:443
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str:
    """
    The address of the client that sent `request`, as the proxies in front of
    the site saw it. Falls back to REMOTE_ADDR when no proxy is trusted, or
    when the header holds fewer addresses than there are proxies (the request
    did not come through them all, so none of the header can be trusted).
    """
    meta = request.META
    remote = _address(meta.get("REMOTE_ADDR", "") or "") or ""
    proxies = int(getattr(settings, "SCOMM_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    hops = [hop for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    return _address(hops[-proxies]) or remote


def client_key(request) -> str:
    """
    The address a limit counts by: the client address, or for IPv6 its /64
    network, since one subscriber is routinely given a whole /64.
    """
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is 192.0.2.1
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
