"""
Correspondence logged with its files while the private media folder is
full: the person reads why at the files, nothing is recorded (no entry, no
timeline line, no half-written file), and the same form works once there is
room again.
"""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from correspondence.models import Attachment, Correspondence
from tests.correspondence.full_disk import files_under, fill_the_disk

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _post(client, case):
    return client.post(
        reverse("correspondence:correspondence_create", args=[case.pk]),
        {
            "direction": "in",
            "method": "letter",
            "occurred_on": timezone.localdate().isoformat(),
            "sender": "ICE Secure Communities",
            "recipient": "Sheriff",
            "summary": "ICE's answer to the opt-out request.",
            "is_public": "on",
            "files": [
                SimpleUploadedFile("ice-reply.pdf", PDF, "application/pdf"),
                SimpleUploadedFile("ice-annex.pdf", PDF, "application/pdf"),
            ],
        },
    )


def test_a_full_disk_is_said_at_the_files_and_nothing_is_recorded(
    case, staff, client, settings, monkeypatch
):
    client.force_login(staff)
    root = Path(settings.SCOMM_PRIVATE_MEDIA_ROOT)
    events = case.events.count()
    fill_the_disk(monkeypatch)
    response = _post(client, case)
    monkeypatch.undo()
    assert response.status_code == 400
    page = response.content.decode()
    # At the files themselves, where the person chose them.
    at_files = page[page.index('id="id_files_error"') :]
    at_files = at_files[: at_files.index("</div>")]
    assert (
        "The files could not be saved: the server&#x27;s storage is full or read-only." in at_files
    )
    assert not Correspondence.objects.filter(request=case).exists()
    assert not Attachment.objects.exists()
    assert case.events.count() == events
    assert files_under(root) == []  # the storage had created the file: it is gone

    # Once there is room again, the same form records the entry and both files.
    response = _post(client, case)
    assert response.status_code == 302
    entry = Correspondence.objects.get(request=case)
    assert entry.attachments.count() == 2
    assert len(files_under(root)) == 2
    assert case.events.count() == events + 1
