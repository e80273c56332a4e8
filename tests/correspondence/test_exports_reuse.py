"""
A built public case file is handed out again only while the case is as it
was built from; an export lost with its worker says so and is never handed
out again; two requests at once give one export.
"""

import datetime
import hashlib
import io
import threading
import zipfile

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from correspondence import exports, letters, log, tasks
from correspondence.exports import jobs
from correspondence.models import Attachment, CaseExport, FrozenLetterError, Letter
from optouts import services as optout_services
from optouts.models import CaseEvent
from tests.correspondence.conftest import tiny_pdf, upload

TODAY = datetime.date.today


def _public_zip(capture, case) -> tuple[CaseExport, zipfile.ZipFile]:
    """A visitor asks for the public ZIP and gets it built (or handed out again)."""
    with capture(execute=True):
        export = exports.case_export_request(case_id=case.pk, user=AnonymousUser(), kind="zip")
    export.refresh_from_db()
    assert export.status == "done", export.message
    with export.file.open("rb") as handle:
        return export, zipfile.ZipFile(io.BytesIO(handle.read()))


@pytest.fixture
def shown(case, staff):
    """A case showing an event, a correspondence entry with its attachment, and a sent letter."""
    letters.letter_send(
        letter_id=letters.letter_draft_create(
            case_id=case.pk, user=staff, template_key="notice-ice"
        ).pk,
        user=staff,
        method="letter",
        sent_on=TODAY(),
    )
    entry = log.correspondence_record(
        case_id=case.pk,
        user=staff,
        direction="in",
        method="letter",
        occurred_on=TODAY(),
        sender="ICE",
        recipient="Sheriff",
        summary="The reply to be hidden.",
        is_public=True,
        files=[upload("reply.pdf", tiny_pdf("Attachment to be hidden"))],
        on_timeline=False,  # the entry alone: its timeline event is an event of its own
    )
    event = optout_services.event_record(
        case_id=case.pk, user=staff, kind="note", summary="A note to be hidden.", is_public=True
    )
    return {"entry": entry, "event": event, "attachment": entry.attachments.get()}


def _holds(archive: zipfile.ZipFile, text: str) -> bool:
    return any(text.encode() in archive.read(name) for name in archive.namelist())


def _sums(archive: zipfile.ZipFile) -> set[str]:
    return {hashlib.sha256(archive.read(name)).hexdigest() for name in archive.namelist()}


def test_an_unchanged_case_hands_out_the_same_public_file(
    shown, case, django_capture_on_commit_callbacks
):
    first, _ = _public_zip(django_capture_on_commit_callbacks, case)
    again, _ = _public_zip(django_capture_on_commit_callbacks, case)
    assert again.pk == first.pk
    assert CaseExport.objects.count() == 1


def test_an_event_made_private_is_not_in_the_next_public_file(
    shown, case, django_capture_on_commit_callbacks
):
    first, archive = _public_zip(django_capture_on_commit_callbacks, case)
    assert "A note to be hidden." in archive.read("timeline.csv").decode()
    event = CaseEvent.objects.get(pk=shown["event"].pk)
    event.is_public = False
    event.save()  # as the admin saves it
    second, archive = _public_zip(django_capture_on_commit_callbacks, case)
    assert second.pk != first.pk
    assert not _holds(archive, "A note to be hidden.")


def test_a_correspondence_entry_made_private_is_not_in_the_next_public_file(
    shown, case, django_capture_on_commit_callbacks
):
    attachment_sum = shown["attachment"].sha256
    first, archive = _public_zip(django_capture_on_commit_callbacks, case)
    assert "The reply to be hidden." in archive.read("correspondence.csv").decode()
    assert attachment_sum in _sums(archive)
    entry = shown["entry"]
    entry.is_public = False
    entry.save()
    second, archive = _public_zip(django_capture_on_commit_callbacks, case)
    assert second.pk != first.pk
    assert not _holds(archive, "The reply to be hidden.")
    assert attachment_sum not in _sums(archive)  # its attachment went with it


def test_an_attachment_taken_off_is_not_in_the_next_public_file(
    shown, case, django_capture_on_commit_callbacks
):
    attachment_sum = shown["attachment"].sha256
    first, archive = _public_zip(django_capture_on_commit_callbacks, case)
    assert attachment_sum in _sums(archive)
    Attachment.objects.get(pk=shown["attachment"].pk).delete()  # as the admin's inline does
    second, archive = _public_zip(django_capture_on_commit_callbacks, case)
    assert second.pk != first.pk
    assert attachment_sum not in _sums(archive)
    assert "The reply to be hidden." in archive.read("correspondence.csv").decode()


def test_a_letter_is_public_once_sent_and_the_next_public_file_follows_it(
    shown, case, staff, django_capture_on_commit_callbacks
):
    """A sent letter is frozen: it cannot be made private. A letter sent since the file is in it."""
    first, archive = _public_zip(django_capture_on_commit_callbacks, case)
    sent = Letter.objects.get(status="sent")
    with pytest.raises(FrozenLetterError):
        Letter.objects.filter(pk=sent.pk).update(status="draft")
    draft = letters.letter_draft_create(case_id=case.pk, user=staff, template_key="notice-sib")
    letters.letter_draft_update(letter_id=draft.pk, user=staff, subject="A draft kept in house")
    second, archive = _public_zip(django_capture_on_commit_callbacks, case)
    assert second.pk != first.pk  # a draft saved moves the case on, and is still left out
    assert not _holds(archive, "A draft kept in house")
    assert not any(f"letter-{draft.pk}" in name for name in archive.namelist())
    letters.letter_send(letter_id=draft.pk, user=staff, method="fax", sent_on=TODAY())
    third, archive = _public_zip(django_capture_on_commit_callbacks, case)
    assert third.pk != second.pk
    assert any(f"letter-{draft.pk}-" in name for name in archive.namelist())


def test_a_change_made_while_the_file_is_built_is_in_the_file(
    shown, case, django_capture_on_commit_callbacks, monkeypatch
):
    """The build reads the case again when the case changed under it."""
    progress = jobs._progress
    hidden = []

    def hide_midway(export_id, done, total, message):
        if not hidden:
            entry = shown["entry"]
            entry.is_public = False
            entry.save()
            hidden.append(True)
        progress(export_id, done, total, message)

    monkeypatch.setattr(jobs, "_progress", hide_midway)
    export, archive = _public_zip(django_capture_on_commit_callbacks, case)
    assert hidden
    assert not _holds(archive, "The reply to be hidden.")
    assert export.case_updated_at == CaseExport.objects.get().request.updated_at


def _stuck(export: CaseExport, *, minutes: int) -> None:
    CaseExport.objects.filter(pk=export.pk).update(
        status="running",
        progress=13,
        message="Adding the letter",
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=minutes),
    )


def test_an_export_lost_with_its_worker_fails_and_asking_again_builds_anew(
    shown, case, client, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    lost = exports.case_export_request(case_id=case.pk, user=AnonymousUser(), kind="zip")
    _stuck(lost, minutes=11)
    status_url = reverse("correspondence:export_status", args=[lost.pk])
    with django_assert_max_num_queries(3):  # the export, its case's copies, marking it failed
        state = client.get(status_url).json()
    assert state["status"] == "failed" and state["label"] == "Failed"
    assert state["message"] == "It stopped without finishing — try again."
    page = client.get(lost.get_absolute_url()).content.decode()
    assert "Failed: It stopped without finishing — try again." in page
    assert f'href="/letters/case/{case.pk}/export/?kind=zip"' in page

    fresh, archive = _public_zip(django_capture_on_commit_callbacks, case)
    assert fresh.pk != lost.pk and "timeline.csv" in archive.namelist()
    assert CaseExport.objects.get(pk=lost.pk).status == "failed"
    # The lost export's task, delivered again, leaves it as it is.
    assert exports.case_export_build(export_id=lost.pk).status == "failed"


def test_a_building_export_with_recent_progress_is_handed_out(
    shown, case, client, django_assert_max_num_queries
):
    building = exports.case_export_request(case_id=case.pk, user=AnonymousUser(), kind="pdf")
    _stuck(building, minutes=9)
    again = exports.case_export_request(case_id=case.pk, user=AnonymousUser(), kind="pdf")
    assert again.pk == building.pk
    with django_assert_max_num_queries(2):  # the export and its case's copies
        state = client.get(reverse("correspondence:export_status", args=[building.pk])).json()
    assert (state["status"], state["progress"]) == ("running", 13)


def test_progress_is_the_exports_sign_of_life(case):
    export = exports.case_export_request(case_id=case.pk, user=AnonymousUser(), kind="zip")
    _stuck(export, minutes=30)
    jobs._progress(export.pk, 1, 4, "Adding the letter")
    export.refresh_from_db()
    assert timezone.now() - export.heartbeat_at < datetime.timedelta(minutes=1)
    assert export.progress == 25


def test_the_daily_clean_up_fails_lost_exports(case):
    lost = exports.case_export_request(case_id=case.pk, user=AnonymousUser(), kind="zip")
    alive = exports.case_export_request(case_id=case.pk, user=AnonymousUser(), kind="pdf")
    _stuck(lost, minutes=11)
    _stuck(alive, minutes=1)
    assert exports.exports_expire() == 0  # nothing old enough to delete
    assert CaseExport.objects.get(pk=lost.pk).status == "failed"
    assert CaseExport.objects.get(pk=alive.pk).status == "running"


def test_the_time_limit_is_the_build_tasks():
    assert tasks.case_export_build.time_limit == jobs.BUILD_TIME_LIMIT.total_seconds()
    assert tasks.case_export_build.soft_time_limit < tasks.case_export_build.time_limit


@pytest.mark.django_db
def test_the_database_refuses_a_second_unfinished_export(case):
    CaseExport.objects.create(request=case, kind="zip")
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseExport.objects.create(request=case, kind="zip")
    CaseExport.objects.create(request=case, kind="zip", status="done")
    CaseExport.objects.create(request=case, kind="zip", include_private=True)
    assert CaseExport.objects.filter(status="queued").count() == 2


def _ask_at_once(case_id: int, start: threading.Barrier, got: list, errors: list) -> None:
    try:
        start.wait()
        export = exports.case_export_request(case_id=case_id, user=AnonymousUser(), kind="zip")
        got.append(export.pk)
    except Exception as exc:  # shown by the test's assertion
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_double_click_from_five_people_at_once_builds_one_export(
    require_postgres, case, monkeypatch
):
    """Read-then-insert raced here; the unique constraint makes the others reuse the first."""
    built = []

    # The build task (run in-process by the tests) calls this: count what it is asked to build.
    def build(*, export_id):
        built.append(export_id)
        return CaseExport(status="queued")

    monkeypatch.setattr(exports, "case_export_build", build)
    for round_ in range(5):
        CaseExport.objects.all().delete()
        built.clear()
        start, got, errors = threading.Barrier(5), [], []
        threads = [
            threading.Thread(target=_ask_at_once, args=(case.pk, start, got, errors))
            for _ in range(5)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == [], round_
        assert len(got) == 5 and len(set(got)) == 1, round_
        assert CaseExport.objects.count() == 1
        assert built == [str(got[0])]  # and its build queued once
