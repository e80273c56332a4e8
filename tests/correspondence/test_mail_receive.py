"""
manage.py receive_mail, fed good and bad messages: each is stored once and
filed on its case or held with the reason; none crashes the command.
"""

import io
import sys

import pytest
from django.core.management import call_command

from correspondence.mail.addresses import reply_address
from correspondence.models import IncomingMail
from reminders.models import Notification
from tests.correspondence.conftest import tiny_pdf
from tests.correspondence.mail_support import reply, send_by_email


def receive(monkeypatch, raw: bytes, *args) -> IncomingMail:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("receive_mail", *args, stdout=out)
    return IncomingMail.objects.order_by("-id").first()


@pytest.fixture
def sent(case, staff, django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return send_by_email(case, staff, django_capture_on_commit_callbacks)


def test_a_reply_to_the_case_address_is_filed_privately_with_its_pdf_and_eml(
    monkeypatch, case, staff, sent, django_capture_on_commit_callbacks
):
    raw = reply(
        to=sent.reply_to, attachments=[("answer.pdf", tiny_pdf("answer"), "application/pdf")]
    )
    with django_capture_on_commit_callbacks(execute=True):
        row = receive(monkeypatch, raw)
    assert row.status == "filed" and row.request_id == case.pk
    entry = row.correspondence
    assert entry.direction == "in" and entry.method == "email" and not entry.is_public
    assert "schedule a meeting" in entry.summary
    assert [a.original_name for a in entry.attachments.all()] == ["answer.pdf"]
    assert row.eml.open("rb").read() == raw
    import hashlib

    assert row.sha256 == hashlib.sha256(raw).hexdigest()
    assert Notification.objects.filter(user=staff, event__request=case, read_at=None).exists()


def test_the_same_message_delivered_twice_is_stored_once(monkeypatch, sent):
    raw = reply(to=sent.reply_to)
    first = receive(monkeypatch, raw)
    receive(monkeypatch, raw)
    assert (
        IncomingMail.objects.count() == 1
        and first.correspondence.request.correspondence.count() == 1
    )


def test_a_reply_without_the_address_is_matched_by_the_letter_it_answers(monkeypatch, case, sent):
    row = receive(monkeypatch, reply(to="ice-desk@example.gov", in_reply_to=sent.message_id))
    assert row.status == "filed" and row.request_id == case.pk


def test_a_forged_token_is_held(monkeypatch, case, sent):
    row = receive(monkeypatch, reply(to=f"case-{case.pk}.aaaaaaaaaa@replies.scomm.localhost"))
    assert (row.status, row.reason, row.request_id) == ("held", "bad_token", None)


def test_mail_with_no_recipient_is_held(monkeypatch, sent):
    row = receive(monkeypatch, reply(to=""))
    assert (row.status, row.reason) == ("held", "no_case")


def test_a_truncated_message_is_stored_with_a_warning(monkeypatch, case, sent):
    raw = reply(to=sent.reply_to, attachments=[("a.pdf", tiny_pdf(), "application/pdf")])
    row = receive(monkeypatch, raw[: len(raw) * 2 // 3])
    assert row.status == "filed" and row.request_id == case.pk
    assert "malformed" in row.warnings


def test_8bit_headers_are_stored_with_a_warning(monkeypatch, case, sent):
    raw = (
        f"From: Jos\xe9 <jose@ice.example.gov>\r\nTo: {sent.reply_to}\r\n"
        "Subject: R\xe9ponse \xff\r\nMessage-ID: <8bit@x>\r\n\r\nBonjour\r\n"
    ).encode("latin-1")
    row = receive(monkeypatch, raw)
    assert row.status == "filed" and "8-bit" in row.warnings


def test_an_unknown_charset_is_stored_with_a_warning(monkeypatch, case, sent):
    raw = (
        f"From: a@ice.example.gov\r\nTo: {sent.reply_to}\r\nSubject: x\r\nMessage-ID: <cs@x>\r\n"
        "Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nHello there\r\n"
    ).encode()
    row = receive(monkeypatch, raw)
    assert row.status == "filed" and "x-no-such-charset" in row.warnings
    assert "Hello there" in row.correspondence.summary


def test_a_30_mb_attachment_is_held_as_too_large(monkeypatch, case, sent):
    big = b"%PDF-1.4\n" + b"0" * (30 * 1024 * 1024)
    row = receive(
        monkeypatch, reply(to=sent.reply_to, attachments=[("big.pdf", big, "application/pdf")])
    )
    assert (row.status, row.reason, row.eml_is_partial) == ("held", "too_large", True)
    assert row.size > 30 * 1024 * 1024 and row.subject == "Re: your notice"


def test_a_zip_and_a_forwarded_message_are_not_kept_as_files(monkeypatch, case, sent):
    raw = reply(
        to=sent.reply_to,
        attachments=[("files.zip", b"PK\x03\x04" + b"\0" * 40, "application/zip")],
    )
    import email
    from email import policy

    message = email.message_from_bytes(raw, policy=policy.default)
    inner = email.message_from_bytes(
        reply(to="x@y.org", message_id="<inner@x>"), policy=policy.default
    )
    message.add_attachment(inner)
    row = receive(monkeypatch, bytes(message))
    assert row.status == "filed" and row.correspondence.attachments.count() == 0
    assert "files.zip" in row.warnings and "forwarded" in row.warnings


def test_a_forged_from_line_is_stored_with_a_warning(monkeypatch, case, sent):
    row = receive(
        monkeypatch, reply(to=sent.reply_to, sender="Director <director@dhs-gov.example>")
    )
    assert row.status == "filed" and "can be forged" in row.warnings


def test_huge_headers_are_held(monkeypatch, case, sent, settings):
    settings.SCOMM_MAIL_MAX_HEADER_BYTES = 10_000
    raw = reply(to=sent.reply_to).replace(
        b"Subject:", b"X-Junk: " + b"a" * 20_000 + b"\r\nSubject:", 1
    )
    row = receive(monkeypatch, raw)
    assert (row.status, row.reason) == ("held", "too_large")


def test_the_command_fails_only_when_nothing_could_be_stored(monkeypatch, db):
    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("correspondence.management.commands.receive_mail.mail_receive", broken)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Subject: x\r\n\r\nhi")))
    with pytest.raises(SystemExit) as exit_:
        call_command("receive_mail", stdout=io.StringIO(), stderr=io.StringIO())
    assert exit_.value.code == 75


def test_an_admin_files_a_held_email_on_its_case_or_discards_it(
    monkeypatch, case, sent, admin_user, client
):
    held = receive(monkeypatch, reply(to="", message_id="<h1@x>"))
    other = receive(monkeypatch, reply(to="", message_id="<h2@x>"))
    client.force_login(admin_user)
    url = "/admin/correspondence/incomingmail/"
    assert client.get(url + "?status__exact=held").status_code == 200
    client.post(url, {"action": "file_on_case", "_selected_action": [held.pk], "case": case.pk})
    client.post(url, {"action": "discard", "_selected_action": [other.pk]})
    held.refresh_from_db()
    other.refresh_from_db()
    assert held.status == "filed" and held.request_id == case.pk and held.correspondence
    assert other.status == "discarded"


def test_the_reply_address_names_its_case(case, settings):
    assert reply_address(case_id=case.pk).startswith(f"case-{case.pk}.")
