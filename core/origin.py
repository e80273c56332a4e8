"""
The origin a request was made to (scheme and host), as part of what a kept
copy varies on: a page, a feed or a file holds absolute links built from
the host it was asked for, and a copy kept for one name of the site (or for
plain HTTP) must never be served to a visitor of another.
"""

from django.http.request import split_domain_port

DEFAULT_PORTS = {"http": "80", "https": "443"}


def request_origin(request) -> str:
    """
    "scheme://host[:port]", normalised: the host lowercased and without a
    trailing dot, the scheme's default port left out, so that one site asked
    the same way in different spellings shares its copies. The host is
    checked against ALLOWED_HOSTS first (request.get_host()), so a made-up
    one is refused with a 400, never kept.
    """
    scheme = request.scheme.lower()
    domain, port = split_domain_port(request.get_host())
    if port and port != DEFAULT_PORTS.get(scheme):
        domain = f"{domain}:{port}"
    return f"{scheme}://{domain}"
