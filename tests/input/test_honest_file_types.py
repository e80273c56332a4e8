"""
Honest file types: an upload is kept and served under the extension and
content type its bytes show, never the uploader's; a Word file with macros is
refused; every download is an attachment the browser may not sniff.
"""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core import files
from correspondence import log
from correspondence.models import Correspondence
from optouts import services
from tests.factories import MembershipFactory, case_with_notice_sent

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SCOMM_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


def _gif_html_polyglot() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("P", (1, 1)).save(out, "GIF")
    return out.getvalue() + b"<html><script>alert(document.cookie)</script></html>"


def _word(*, macros: bool = False, content_type: str = "document.main+xml") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", f'<Types><Override ContentType="{content_type}"/>')
        archive.writestr("word/document.xml", "<w:document/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 macros")
    return out.getvalue()


@pytest.fixture
def case():
    return case_with_notice_sent(opened_on=datetime.date(2010, 5, 1))


@pytest.fixture
def staff(case):
    return MembershipFactory(jurisdiction=case.jurisdiction, role="staff").user


def _record(case, user, name, content):
    return log.correspondence_record(
        case_id=case.pk,
        user=user,
        direction="in",
        method="letter",
        occurred_on=datetime.date(2010, 6, 1),
        sender="ICE",
        recipient="Sheriff",
        summary="A reply.",
        files=[SimpleUploadedFile(name, content)],
        is_public=True,
    )


@pytest.mark.parametrize(
    "name, content, served, content_type",
    [
        ("report.exe", PDF, "report.pdf", "application/pdf"),
        ("pic.html", _gif_html_polyglot(), "pic.gif", "image/gif"),
        ("minutes", _word(), "minutes.docx", files.content_type_of("docx")),
    ],
)
def test_an_attachment_is_kept_and_served_as_what_it_is(
    client, case, staff, name, content, served, content_type
):
    entry = _record(case, staff, name, content)
    attachment = entry.attachments.get()
    assert attachment.file.name.endswith(files.extension_of(attachment.kind))
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert f'filename="{served}"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content


@pytest.mark.parametrize(
    "name, content",
    [
        ("minutes.docm", _word()),
        ("minutes.docx", _word(macros=True)),
        ("minutes.docx", _word(content_type="application/vnd.ms-word.document.macroEnabled.main")),
    ],
)
def test_a_word_file_with_macros_is_refused_and_nothing_saved(case, staff, name, content):
    with pytest.raises(ValidationError) as caught:
        _record(case, staff, name, content)
    assert f"“{name}” is a Word document with macros" in caught.value.messages[0]
    assert not Correspondence.objects.exists()


def test_a_proof_of_receipt_downloads_as_what_it_is(client, case, staff):
    delivery = case.deliveries.first()
    services.delivery_receipt_record(
        delivery_id=delivery.pk,
        user=staff,
        received_on=datetime.date(2010, 5, 20),
        proof=SimpleUploadedFile("report.exe", PDF),
    )
    delivery.refresh_from_db()
    assert delivery.receipt_proof.name.endswith(".pdf")
    from django.urls import reverse

    url = reverse("optouts:receipt_proof", args=[case.pk, delivery.pk])
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="report.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "name, kind, expected",
    [
        ("report.exe", "pdf", "report.pdf"),
        ("../../etc/passwd", "png", "passwd.png"),
        ("scan.PDF.html", "pdf", "scan.PDF.pdf"),
        ("", "jpeg", "file.jpg"),
        ('"quoted".gif', "gif", "quoted.gif"),
    ],
)
def test_a_download_name_takes_its_extension_from_the_content(name, kind, expected):
    assert files.download_name(name, kind) == expected
