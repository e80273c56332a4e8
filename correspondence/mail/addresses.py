"""
The reply address of a case: case-17.k3x9qf2m1a@replies.example.org.

The token is an HMAC of the case id under the site's secret key (through
django.core.signing's salted_hmac), so an address cannot be guessed from
another case's, nor made up for a case by someone who never received one.
"""

import re
import uuid
from email.utils import getaddresses

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "correspondence.mail.reply-address"
TOKEN_LENGTH = 10
_LOCAL = re.compile(r"^case-(?P<case>\d{1,12})\.(?P<token>[a-z0-9]{1,40})$", re.IGNORECASE)
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def _token(case_id: int) -> str:
    digest = int.from_bytes(salted_hmac(SALT, f"case-{case_id}").digest()[:10], "big")
    out = []
    for _ in range(TOKEN_LENGTH):
        digest, index = divmod(digest, 36)
        out.append(_ALPHABET[index])
    return "".join(out)


def reply_domain() -> str:
    return settings.SCOMM_REPLY_DOMAIN.strip().lower()


def reply_address(*, case_id: int) -> str:
    """The address replies about this case are sent to."""
    return f"case-{case_id}.{_token(case_id)}@{reply_domain()}"


def address_case(address: str) -> tuple[int | None, bool]:
    """
    What an address says about a case: (case id, genuine). (None, False) for
    an address that is not a reply address at all; (id, False) for one that
    looks like a case's but whose token is wrong (forged or mistyped).
    """
    address = (address or "").strip().strip("<>").lower()
    local, _, domain = address.rpartition("@")
    if not local or domain != reply_domain():
        return None, False
    local = local.split("+", 1)[0]
    match = _LOCAL.match(local)
    if not match:
        return None, False
    case_id = int(match["case"])
    return case_id, constant_time_compare(match["token"], _token(case_id))


def addresses_in(values) -> list[str]:
    """Every address in some header values (To, Cc, Delivered-To), lower-cased, each once."""
    found = []
    for _name, address in getaddresses([str(v) for v in values if v]):
        address = address.strip().lower()
        if "@" in address and address not in found:
            found.append(address)
    return found


def new_message_id() -> str:
    """A Message-ID of the site's own: random, so it tells nothing about the case."""
    domain = reply_domain() or "scomm.localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"
