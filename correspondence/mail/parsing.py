"""
A received message, read with Python's email package (policy.default) and
nothing hand-written: its headers cleaned into text a database and a page
can hold, its text as plain text (HTML reduced by nh3, so no script, no
remote image, no markup survives), its attachments, whether it is a
delivery failure notice (multipart/report, message/delivery-status), and
what about it is odd, each said in a line for the staff who read it.
"""

import html
import re
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesHeaderParser, BytesParser

import nh3

MAX_DEPTH = 10
MAX_TEXT = 100_000
_ID = re.compile(r"<[^<>\s]{1,240}>")
_BLOCK = ("p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre")


@dataclass
class Bounce:
    """A delivery failure notice: which messages it is about and what the server said."""

    original_ids: list[str]
    recipient: str
    status: str
    diagnostic: str


@dataclass
class ParsedMail:
    message_id: str = ""
    from_header: str = ""
    to_header: str = ""
    subject: str = ""
    recipients: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    authentication: str = ""
    text: str = ""
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    bounce: Bounce | None = None


def clean(value, limit: int = 300) -> str:
    """A header's value as one line of text: undecodable bytes replaced, controls removed."""
    text = str(value or "")
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    text = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(text.split())[:limit]


def _get(message, name: str, warnings: list[str]) -> list[str]:
    """Every value of a header, as text; a header the parser cannot read is read raw."""
    try:
        values = message.get_all(name) or []
        return [clean(v, 5000) for v in values]
    except Exception:  # a malformed header must never stop the message from being kept
        warnings.append(f"The {name} header could not be read; its raw text is kept in the .eml.")
        raw = [v for k, v in message.raw_items() if k.lower() == name.lower()]
        return [clean(v, 5000) for v in raw]


def message_ids(values) -> list[str]:
    found = []
    for value in values:
        for mid in _ID.findall(value or ""):
            if mid not in found:
                found.append(mid)
    return found


def html_to_text(markup: str) -> str:
    """HTML as plain text: nh3 keeps only block tags (no attributes), which become line breaks."""
    kept = nh3.clean(markup, tags=set(_BLOCK), attributes={}, strip_comments=True)
    kept = re.sub(r"<br\s*/?>|</(?:{})>".format("|".join(_BLOCK)), "\n", kept)
    kept = re.sub(r"<[^>]*>", "", kept)  # what is left is nh3's own well-formed tags
    return html.unescape(kept)


def _text_of(part, warnings: list[str]) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError, AssertionError):
        charset = clean(part.get_param("charset") or "", 40)
        warnings.append(
            f"The text's character set “{charset}” is unknown or wrong; "
            "it is shown as UTF-8 with unreadable characters replaced."
        )
        content = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
    if not isinstance(content, str):
        content = str(content)
    if part.get_content_subtype() == "html":
        content = html_to_text(content)
    content = content.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    content = re.sub(r"\n{3,}", "\n\n", content.replace("\r\n", "\n")).strip()
    if len(content) > MAX_TEXT:
        warnings.append(
            "The text was cut to its first 100,000 characters; all of it is in the .eml."
        )
        content = content[:MAX_TEXT]
    return content.replace("\x00", "")


def _leaves(part, depth: int, warnings: list[str]):
    """The parts of a message, depth first, a forwarded message (message/rfc822) as one part."""
    if depth > MAX_DEPTH:
        warnings.append("Parts nested too deep were not read; they are in the .eml.")
        return
    if part.get_content_maintype() == "message":
        yield part
    elif part.is_multipart():
        for sub in part.iter_parts():
            yield from _leaves(sub, depth + 1, warnings)
    else:
        yield part


def _bounce(message, warnings: list[str]) -> Bounce | None:
    if message.get_content_type() != "multipart/report":
        return None
    if (message.get_param("report-type") or "").lower() != "delivery-status":
        return None
    action = recipient = status = diagnostic = ""
    original: list[str] = []
    for part in message.iter_parts():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            for block in part.get_payload() or []:
                action = action or clean(block.get("Action", ""), 40).lower()
                recipient = recipient or clean(block.get("Final-Recipient", ""))
                status = status or clean(block.get("Status", ""), 40)
                diagnostic = diagnostic or clean(block.get("Diagnostic-Code", ""))
        elif ctype == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if hasattr(inner, "get"):
                original += message_ids([clean(inner.get("Message-ID", ""), 300)])
        elif ctype == "text/rfc822-headers":
            raw = part.get_payload(decode=True) or b""
            headers = BytesHeaderParser(policy=policy.default).parsebytes(raw)
            original += message_ids([clean(headers.get("Message-ID", ""), 300)])
    if action != "failed":
        return None
    return Bounce(
        original_ids=original,
        recipient=recipient.split(";")[-1].strip(),
        status=status,
        diagnostic=diagnostic,
    )


def header_block(raw: bytes) -> bytes:
    """The headers of a raw message: what is kept of one too large to keep whole."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        end = raw.find(separator)
        if end != -1:
            return raw[: end + len(separator)]
    return raw


def parse_headers(raw: bytes) -> ParsedMail:
    """Only the headers: for a message too large to read whole."""
    parsed = ParsedMail()
    try:
        message = BytesHeaderParser(policy=policy.default).parsebytes(header_block(raw))
    except Exception:
        return parsed
    _headers(message, parsed)
    return parsed


def _headers(message, parsed: ParsedMail) -> None:
    w = parsed.warnings
    parsed.message_id = (message_ids(_get(message, "Message-ID", w)) or [""])[0]
    parsed.from_header = clean(" ".join(_get(message, "From", w)))
    parsed.to_header = clean(", ".join(_get(message, "To", w)))
    parsed.subject = clean(" ".join(_get(message, "Subject", w)))
    parsed.references = message_ids(
        _get(message, "In-Reply-To", w) + _get(message, "References", w)
    )
    parsed.authentication = " ".join(_get(message, "Authentication-Results", w))[:2000]
    parsed.recipients = [
        value
        for name in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
        for value in _get(message, name, w)
    ]
    if "\ufffd" in parsed.from_header + parsed.to_header + parsed.subject:
        w.append("Some header bytes were not valid text (8-bit headers); they show as “\ufffd”.")


def parse(raw: bytes) -> ParsedMail:
    """Read a whole message. Anything odd is a warning; only a bug of the parser raises."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    parsed = ParsedMail()
    _headers(message, parsed)
    warnings = parsed.warnings
    parsed.bounce = _bounce(message, warnings)
    try:
        body = message.get_body(preferencelist=("plain", "html"))
    except Exception:
        body = None
    parsed.text = _text_of(body, warnings) if body is not None else ""
    defects = {type(d).__name__ for d in message.defects}
    for part in _leaves(message, 0, warnings):
        defects |= {type(d).__name__ for d in getattr(part, "defects", [])}
        if part is body:
            continue
        if part.get_content_maintype() == "message":
            if parsed.bounce is None:
                warnings.append(
                    "A forwarded or attached message was not opened; it is kept in the .eml."
                )
            continue
        try:
            name = clean(part.get_filename() or "", 200)
        except Exception:
            name = ""
        if not name and part.get_content_maintype() == "text":
            continue  # another form of the text (the HTML beside the plain text)
        content = part.get_payload(decode=True) or b""
        parsed.attachments.append((name or "attachment", content))
    if defects:
        warnings.append(
            "The message is malformed (" + ", ".join(sorted(defects)[:6]) + "); "
            "what could be read is shown, and the original is in the .eml."
        )
    return parsed
