"""
A letter sent while the private media folder is full or read-only: the
sender reads why on the page, nothing is sent, the case is untouched and no
partial PDF is left behind.
"""

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from correspondence import letters
from correspondence.models import Letter
from optouts.models import OptOutRequest
from tests.correspondence.full_disk import files_under, fill_the_disk

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today

MESSAGE = (
    "The letter could not be saved: the server&#x27;s storage is full or read-only. "
    "Nothing was sent; try again or tell the administrator."
)


def _send_through_the_page(client, letter):
    confirm = reverse("correspondence:letter_send_confirm", args=[letter.pk])
    digest = client.get(confirm).context["sha256"]
    return client.post(confirm, {"method": "letter", "sent_on": TODAY(), "sha256": digest})


def _state(case) -> tuple:
    """What sending would change on the case: stage, version, copies, timeline."""
    case = OptOutRequest.objects.get(pk=case.pk)
    return case.stage, case.version, case.deliveries.count(), case.events.count()


def _untouched(case, letter, before: tuple) -> None:
    letter.refresh_from_db()
    assert not letter.is_sent and not letter.pdf and letter.sha256 == ""
    assert _state(case) == before


def _said_in_the_error_summary(response) -> None:
    page = response.content.decode()
    summary = page[
        page.index("error-summary-title") : page.index("</ul>", page.index("error-summary-title"))
    ]
    assert f"<li>{MESSAGE}</li>" in summary


def test_a_full_disk_is_said_on_the_page_and_leaves_nothing_behind(
    case, counsel, client, settings, monkeypatch
):
    client.force_login(counsel)
    letter = letters.letter_draft_create(case_id=case.pk, user=counsel, template_key="notice-ice")
    before = _state(case)
    root = Path(settings.SCOMM_PRIVATE_MEDIA_ROOT)
    fill_the_disk(monkeypatch)
    response = _send_through_the_page(client, letter)
    monkeypatch.undo()
    assert response.status_code == 400
    _said_in_the_error_summary(response)
    _untouched(case, letter, before)
    assert files_under(root) == []  # the storage had created the file: it is gone

    # Once there is room again, the same page sends it.
    response = _send_through_the_page(client, letter)
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.is_sent and [p.name for p in files_under(root)] == [Path(letter.pdf.name).name]
    assert _state(case)[2] == before[2] + 1  # its copy is recorded once


def _read_only(folder: Path) -> bool:
    """Make `folder` read-only even for root (chattr +i); False when that cannot be done."""
    folder.chmod(0o555)
    probe = folder / "probe"
    try:
        probe.touch()
    except OSError:
        return True
    probe.unlink()
    chattr = shutil.which("chattr")
    if not chattr:
        return False
    done = subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode == 0
    return done


def _writable(folder: Path) -> None:
    if shutil.which("chattr"):
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
    folder.chmod(0o755)


@pytest.mark.parametrize("where", ["letters folder", "whole folder"])
def test_a_read_only_folder_is_said_on_the_page_and_nothing_is_sent(
    case, counsel, client, settings, where
):
    client.force_login(counsel)
    letter = letters.letter_draft_create(case_id=case.pk, user=counsel, template_key="notice-sib")
    before = _state(case)
    root = Path(settings.SCOMM_PRIVATE_MEDIA_ROOT)
    folder = root / "letters" if where == "letters folder" else root
    folder.mkdir(parents=True, exist_ok=True)
    if not _read_only(folder):
        _writable(folder)
        pytest.skip("cannot make a folder read-only here (root without chattr)")
    try:
        response = _send_through_the_page(client, letter)
    finally:
        _writable(folder)
    assert response.status_code == 400
    _said_in_the_error_summary(response)
    _untouched(case, letter, before)
    assert files_under(root) == []
    assert not Letter.objects.filter(pk=letter.pk, status="sent").exists()
