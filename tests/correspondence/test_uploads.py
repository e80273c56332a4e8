import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from correspondence import log
from correspondence.models import Attachment, Correspondence
from tests.correspondence.conftest import tiny_pdf, tiny_png, upload

pytestmark = pytest.mark.django_db


def _record(case, user, files, **extra):
    return log.correspondence_record(
        case_id=case.pk,
        user=user,
        direction="in",
        method="letter",
        occurred_on=datetime.date.today(),
        sender="ICE",
        recipient="Sheriff",
        summary="A reply.",
        files=files,
        **extra,
    )


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name,content,message",
    [
        (
            "reply.pdf",
            b"MZ\x90\x00 this is a Windows program",
            "is not a PDF, an image (PNG, JPEG, GIF) or a Word document",
        ),
        ("photo.png", b"<svg onload=alert(1)>", "checked by their content, not by their name"),
        ("notes.docx", b"PK\x03\x04 not really a zip", "is not a PDF"),
        ("broken.png", b"\x89PNG\r\n\x1a\nnot an image", "is not a PDF"),
        ("empty.pdf", b"", "“empty.pdf” is empty."),
    ],
)
def test_a_bad_upload_is_refused_with_a_clear_message_and_nothing_is_saved(
    case, staff, name, content, message
):
    with pytest.raises(ValidationError) as exc:
        _record(case, staff, [upload("good.pdf", tiny_pdf()), upload(name, content)])
    assert message in exc.value.messages[0]
    assert not Correspondence.objects.exists()
    assert not Attachment.objects.exists()
    private = Path(settings.SCOMM_PRIVATE_MEDIA_ROOT)
    assert not private.exists() or not any(p.is_file() for p in private.rglob("*"))


def test_a_file_over_the_limit_is_refused(case, staff, settings):
    settings.SCOMM_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ValidationError) as exc:
        _record(case, staff, [upload("big.pdf", b"%PDF-1.4\n" + b"0" * 2000)])
    assert exc.value.messages[0] == "“big.pdf” is too large (2.0 KB); the limit is 1000 bytes."
    assert not Correspondence.objects.exists()


@pytest.mark.parametrize(
    "name,content,kind",
    [
        ("reply.bin", None, "pdf"),
        ("scan.pdf", "png", "png"),
        ("minutes.docx", "docx", "docx"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "doc"),
    ],
)
def test_good_files_are_kept_under_a_server_chosen_name_outside_media(
    case, staff, name, content, kind
):
    data = {None: tiny_pdf(), "png": tiny_png(), "docx": _docx()}.get(content, content)
    entry = _record(case, staff, [upload(name, data)])
    attachment = entry.attachments.get()
    assert attachment.kind == kind
    assert attachment.original_name == name
    stored = Path(attachment.file.path)
    assert stored.read_bytes() == data
    assert Path(name).stem not in stored.name
    assert stored.suffix == attachment.extension
    assert not str(stored.resolve()).startswith(str(Path(settings.MEDIA_ROOT).resolve()))
    with pytest.raises(ValueError):
        _ = attachment.file.url


def test_a_user_chosen_path_never_reaches_the_disk(case, staff):
    entry = _record(case, staff, [upload("../../../etc/cron.d/evil.pdf", tiny_pdf())])
    attachment = entry.attachments.get()
    assert attachment.original_name == "evil.pdf"
    assert (
        Path(attachment.file.path)
        .resolve()
        .is_relative_to(Path(settings.SCOMM_PRIVATE_MEDIA_ROOT).resolve())
    )


def test_correspondence_goes_on_the_timeline_with_its_privacy(case, staff):
    _record(case, staff, [], is_public=False)
    event = case.events.get(kind="correspondence")
    assert event.is_public is False
    assert "Letter received from ICE" in event.summary
