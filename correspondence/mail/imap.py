"""
The IMAP mailbox that receives the replies (SCOMM_IMAP_URL), read on Celery
beat's schedule with the standard library's imaplib.

imaps://user:password@host:993/INBOX, or imap:// for a server on the same
machine. Unseen messages are read without marking them (BODY.PEEK), stored,
and only then marked seen, so a poll that dies half-way loses nothing: the
next one reads the rest again, and a message stored twice is kept once.
A message over the size limit is not downloaded whole: its headers are held.
"""

import hashlib
import imaplib
import logging
import re
from urllib.parse import unquote, urlparse

from django.conf import settings

from .inbound import mail_receive

logger = logging.getLogger(__name__)
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


def _connect(url: str) -> imaplib.IMAP4:
    parts = urlparse(url)
    if parts.scheme not in {"imap", "imaps"}:
        raise ValueError("SCOMM_IMAP_URL starts with imaps:// (or imap:// on the same machine).")
    cls = imaplib.IMAP4_SSL if parts.scheme == "imaps" else imaplib.IMAP4
    port = parts.port or (993 if parts.scheme == "imaps" else 143)
    connection = cls(parts.hostname or "127.0.0.1", port, timeout=60)
    connection.login(unquote(parts.username or ""), unquote(parts.password or ""))
    mailbox = unquote(parts.path.lstrip("/")) or "INBOX"
    status, _ = connection.select(f'"{mailbox}"')
    if status != "OK":
        raise imaplib.IMAP4.error(f"No mailbox {mailbox!r}")
    return connection


def _fetch_one(connection: imaplib.IMAP4, uid: bytes, max_bytes: int):
    status, data = connection.uid("FETCH", uid, "(RFC822.SIZE)")
    match = _SIZE.search(data[0] if data and data[0] else b"") if status == "OK" else None
    size = int(match.group(1)) if match else 0
    what = "(BODY.PEEK[HEADER])" if size > max_bytes else "(BODY.PEEK[])"
    status, data = connection.uid("FETCH", uid, what)
    raw = next((item[1] for item in data if isinstance(item, tuple)), None)
    if status != "OK" or raw is None:
        raise imaplib.IMAP4.error(f"Message {uid!r} could not be read")
    return raw, max(size, len(raw))


def mail_fetch(*, url: str | None = None) -> int:
    """Store every unseen message of the mailbox; returns how many were new."""
    url = url or settings.SCOMM_IMAP_URL
    if not url:
        return 0
    stored = 0
    connection = _connect(url)
    try:
        status, data = connection.uid("SEARCH", None, "UNSEEN")
        uids = data[0].split() if status == "OK" and data and data[0] else []
        for uid in uids:
            raw, size = _fetch_one(connection, uid, settings.SCOMM_MAIL_MAX_BYTES)
            # Of a message too large to download, the SHA-256 is of the headers kept.
            row = mail_receive(
                raw=raw, source="imap", size=size, sha256=hashlib.sha256(raw).hexdigest()
            )
            stored += not getattr(row, "duplicate", False)
            connection.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        try:
            connection.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    return stored
