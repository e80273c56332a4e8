"""
What the mail tests share: a real SMTP receiver (aiosmtpd), a real IMAP
server (Debian's Dovecot with a throwaway configuration), a case whose ICE
notice went by email, and messages built with the email package.
"""

import contextlib
import datetime
import os
import shutil
import socket
import subprocess
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from correspondence import letters
from correspondence.mail import outbound
from tests.conftest import need

DOVECOT = shutil.which("dovecot") or (
    "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the SMTP receiver took: each message's envelope and bytes."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def _aiosmtpd_controller():
    """
    aiosmtpd imports `public` from the atpublic package, a name the site's
    own public app takes on sys.path: it gets atpublic's while it loads.
    """
    import importlib.util
    import site
    import sys

    if "aiosmtpd.controller" not in sys.modules:
        paths = [Path(p) / "public" / "__init__.py" for p in site.getsitepackages()]
        path = next(p for p in paths if p.exists())
        spec = importlib.util.spec_from_file_location(
            "public", path, submodule_search_locations=[str(path.parent)]
        )
        atpublic = importlib.util.module_from_spec(spec)
        ours = sys.modules.get("public")
        sys.modules["public"] = atpublic
        try:
            spec.loader.exec_module(atpublic)
            import aiosmtpd.controller  # noqa: F401
        finally:
            if ours is not None:
                sys.modules["public"] = ours
            else:
                del sys.modules["public"]
    return sys.modules["aiosmtpd.controller"].Controller


@contextlib.contextmanager
def smtp_server(settings):
    """
    A real SMTP server on 127.0.0.1 and a free port, and the site's mail
    pointed at it (`settings` is pytest-django's fixture, which puts them back).
    The browser tests use it too, from their own fixture.
    """
    Controller = _aiosmtpd_controller()

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_receiver(settings):
    with smtp_server(settings) as inbox:
        yield inbox


DOVECOT_CONF = """
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


@pytest.fixture
def imap_server():
    """
    Dovecot on 127.0.0.1 and a free port, one passwd-file user, its mail in a
    maildir under a throwaway folder, no SSL. Yields the SCOMM_IMAP_URL.
    """
    need(DOVECOT is not None, "Dovecot (apt-get install dovecot-imapd; scripts/setup does it)")
    root = Path(tempfile.mkdtemp(prefix="scomm-dovecot-"))
    os.chmod(root, 0o755)
    uid = gid = os.getuid() if os.getuid() else 65534
    (root / "home").mkdir()
    if os.getuid() == 0:
        os.chown(root / "home", uid, gid)
    (root / "passwd").write_text("replies:{PLAIN}secret\n")
    port = free_port()
    conf = root / "dovecot.conf"
    conf.write_text(DOVECOT_CONF.format(root=root, uid=uid, gid=gid, port=port))
    subprocess.run([DOVECOT, "-c", str(conf)], check=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"imap://replies:secret@127.0.0.1:{port}/INBOX"
    pid = (root / "run" / "master.pid").read_text().strip()
    subprocess.run(["kill", pid], check=False)
    time.sleep(0.3)
    shutil.rmtree(root, ignore_errors=True)


def imap_append(url: str, raw: bytes) -> None:
    import imaplib
    from urllib.parse import urlparse

    parts = urlparse(url)
    connection = imaplib.IMAP4(parts.hostname, parts.port)
    connection.login(parts.username, parts.password)
    status, _ = connection.append("INBOX", None, None, raw)
    assert status == "OK"
    connection.logout()


def email_draft(case, staff, key="notice-ice"):
    return letters.letter_draft_create(case_id=case.pk, user=staff, template_key=key)


def send_by_email(case, staff, capture, key="notice-ice", to="ice@example.gov"):
    """A draft of the notice sent by email, its task run after the commit."""
    letter = email_draft(case, staff, key)
    with capture(execute=True):
        row = outbound.letter_email_send(letter_id=letter.pk, user=staff, to=to)
    row.refresh_from_db()
    return row


def post_sib_copy(case, staff):
    """The SIB's copy by certified mail, as a letter."""
    letter = email_draft(case, staff, "notice-sib")
    return letters.letter_send(
        letter_id=letter.pk, user=staff, method="letter", sent_on=datetime.date.today()
    )


def reply(
    *,
    to: str,
    subject="Re: your notice",
    text="We received your request and will schedule a meeting.",
    sender="Marc Rapp <marc.rapp@ice.example.gov>",
    message_id="<reply-1@ice.example.gov>",
    in_reply_to=None,
    attachments=(),
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    if to:
        message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = "Mon, 01 Dec 2025 10:00:00 +0000"
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    message.set_content(text)
    for name, content, ctype in attachments:
        maintype, subtype = ctype.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return bytes(message)
