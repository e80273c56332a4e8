import csv
import datetime
import io
import os
import re
import time
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader, PdfWriter

from correspondence import defaults, exports, letters, log, selectors
from correspondence.demo import demo_letters_load
from correspondence.models import CaseExport, Letter
from optouts import services as optout_services
from optouts.models import OptOutRequest
from tests.correspondence.conftest import tiny_pdf, tiny_png, upload

TODAY = datetime.date.today


def _text(content: bytes) -> str:
    out = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(out.split())


_WHEN = r"(?:on or before )?[A-Z][a-z]+ (?:\d{1,2}, )?\d{4}"
_MONTHS = {name: n for n, name in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August",
     "September", "October", "November", "December"], start=1)}  # fmt: skip


def _timeline_rows(reader: PdfReader) -> list[tuple[str, str]]:
    """
    The timeline's rows as laid out: the date of record at the start of a
    line, then a gap, then the event, read from the pages that have the
    timeline's two-column header.
    """
    rows = []
    for page in reader.pages:
        text = page.extract_text(extraction_mode="layout")
        if "Date of record" not in text:
            continue
        for line in text.splitlines():
            found = re.match(rf"\s*({_WHEN})\s{{3,}}(\S.*?)\s*$", line)
            if found:
                rows.append((found.group(1), found.group(2)))
    return rows


def _day(when: str) -> tuple[int, int, int]:
    """A date of record to compare: a month only stands for the whole month."""
    parts = when.removeprefix("on or before ").replace(",", "").split()
    if len(parts) == 2:
        return (int(parts[1]), _MONTHS[parts[0]], 0)
    return (int(parts[2]), _MONTHS[parts[0]], int(parts[1]))


def _in_order(rows) -> bool:
    for (before, _), (after, _) in zip(rows, rows[1:], strict=False):
        a, b = _day(before), _day(after)
        if 0 in (a[2], b[2]):
            a, b = a[:2], b[:2]
        if a > b:
            return False
    return True


def _numbered(reader: PdfReader) -> list[str]:
    """The "Page n of N" of each page, as extracted."""
    return [re.findall(r"Page \d+ of \d+", page.extract_text()) for page in reader.pages]


@pytest.mark.django_db
def test_the_demo_san_francisco_case_file_has_its_timeline_and_every_letter():
    from scomm.demo import demo_load

    created = demo_load()
    # The four letters of the record, San Francisco's two requests, and none again.
    assert created["letters"] == Letter.objects.count() == 4
    assert demo_letters_load() == {"letters": 0, "correspondence": 0}
    assert Letter.objects.count() == 4
    first = OptOutRequest.objects.get(
        jurisdiction__fips="06075", opened_on=datetime.date(2010, 5, 18)
    )
    second = OptOutRequest.objects.get(reopens=first)
    may_and_june = Letter.objects.filter(request=first).order_by("letter_date")
    assert [(letter.letter_date, letter.recipient, letter.is_sent) for letter in may_and_june] == [
        (datetime.date(2010, 5, 18), "sib", True),
        (datetime.date(2010, 6, 3), "ice", True),
    ]
    august = list(Letter.objects.filter(request=second).order_by("id"))
    assert [letter.recipient_name for letter in august] == [
        "David Venturella, Assistant Director, Secure Communities, and Marc A. Rapp, ICE",
        "Edmund G. Brown Jr., Attorney General of California",
    ]
    assert all(letter.is_sent and letter.delivery_id for letter in august)

    content = exports.case_file_pdf(bundle=selectors.case_file(case=first, include_private=False))
    reader = PdfReader(io.BytesIO(content))
    total = len(reader.pages)
    assert total >= 4
    assert _numbered(reader) == [[f"Page {n} of {total}"] for n in range(1, total + 1)]
    cover = " ".join(reader.pages[0].extract_text().split())
    for fact in (
        "Case file",
        "San Francisco County, California",
        "Sheriff Michael Hennessey",
        "San Francisco Sheriff's Department",
        "Dates of record",
        "Request opened May 18, 2010",
        "Activated June 8, 2010",
        "Closed June 8, 2010",
        "Denied / activated as scheduled",
        "was activated while this request was pending",
    ):
        assert fact in cover, fact
    assert "Date of record" not in cover  # the timeline starts on a page of its own
    rows = _timeline_rows(reader)
    assert rows[0] == ("May 18, 2010", "Request drafted")
    assert ("June 8, 2010", "Jurisdiction activated") in rows
    assert _in_order(rows), rows
    kinds = [event for _, event in rows]
    notice = next(i for i, kind in enumerate(kinds) if kind.startswith("Notice"))
    assert notice < kinds.index("Jurisdiction activated")

    text = _text(content)
    # Marc Rapp's refusal by telephone ("on or before June 7", a date the layout wraps)
    # came before the activation, as the public record has it.
    assert "on or before June" in text
    assert text.index("Marc Rapp, Deputy Director") < text.index("was activated in San Francisco")
    assert "Timeline" in text
    assert "Marc Rapp, Deputy Director for Secure Communities at ICE, answered by telephone" in text
    assert "Request that the City and County of San Francisco opt out of Secure Communities" in text
    assert "June 3, 2010" in text and "Michael Hennessey" in text
    assert "Internal: ask the Board of Supervisors" not in text  # an internal note

    content = exports.case_file_pdf(bundle=selectors.case_file(case=second, include_private=False))
    reader = PdfReader(io.BytesIO(content))
    total = len(reader.pages)
    assert _numbered(reader) == [[f"Page {n} of {total}"] for n in range(1, total + 1)]
    assert _in_order(_timeline_rows(reader))
    text = _text(content)
    assert "Secretary Napolitano's letter to Rep. Zoe Lofgren" in text
    assert "Renewed request that San Francisco opt out of Secure Communities" in text
    assert "Dear Attorney General Brown" in text
    assert "there is now a procedure in place to address such requests" in text
    for letter in august:
        assert letter.sha256 in text.replace(" ", "")


def _private_case(case, staff):
    letters.letter_send(
        letter_id=letters.letter_draft_create(
            case_id=case.pk, user=staff, template_key="notice-ice"
        ).pk,
        user=staff,
        method="letter",
        sent_on=TODAY(),
    )
    letters.letter_send(
        letter_id=letters.letter_draft_create(
            case_id=case.pk, user=staff, template_key="notice-sib"
        ).pk,
        user=staff,
        method="fax",
        sent_on=TODAY(),
    )
    draft = letters.letter_draft_create(case_id=case.pk, user=staff, template_key="follow-up")
    letters.letter_draft_update(letter_id=draft.pk, user=staff, subject="Unsent follow-up draft")
    for public, word in ((True, "open"), (False, "secret")):
        log.correspondence_record(
            case_id=case.pk,
            user=staff,
            direction="in",
            method="letter",
            occurred_on=TODAY(),
            sender="ICE",
            recipient="Sheriff",
            summary=f"The {word} reply.",
            is_public=public,
            files=[
                upload(f"{word}.pdf", tiny_pdf(f"Attachment {word} text")),
                upload(f"{word}.png", tiny_png()),
            ],
        )
    optout_services.event_record(
        case_id=case.pk, user=staff, kind="note", summary="Internal strategy note.", is_public=False
    )


@pytest.mark.django_db
def test_the_public_case_file_leaves_out_every_private_item(case, staff):
    _private_case(case, staff)
    public = _text(
        exports.case_file_pdf(bundle=selectors.case_file(case=case, include_private=False))
    )
    assert "Attachment open text" in public and "The open reply." in public
    for secret in (
        "Attachment secret text",
        "The secret reply.",
        "Unsent follow-up draft",
        "Internal strategy note.",
    ):
        assert secret not in public
    private = _text(
        exports.case_file_pdf(bundle=selectors.case_file(case=case, include_private=True))
    )
    for secret in (
        "Attachment secret text",
        "The secret reply.",
        "Unsent follow-up draft",
        "Internal strategy note.",
    ):
        assert secret in private

    archive = zipfile.ZipFile(
        io.BytesIO(
            exports.case_file_zip(bundle=selectors.case_file(case=case, include_private=False))
        )
    )
    names = archive.namelist()
    assert {"index.csv", "timeline.csv", "correspondence.csv"} <= set(names)
    assert not any("secret" in n or "DRAFT" in n for n in names)
    rows = list(csv.DictReader(io.StringIO(archive.read("index.csv").decode())))
    assert len(rows) == 4  # two sent letters, the public PDF and image
    for row in rows:
        import hashlib

        assert hashlib.sha256(archive.read(row["file"])).hexdigest() == row["sha256"]
    assert "Internal strategy note." not in archive.read("timeline.csv").decode()


def _encrypted_pdf(text: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(tiny_pdf(text))))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_an_unreadable_attachment_is_listed_on_the_case_file_but_not_merged(case, staff):
    damaged = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R"
    log.correspondence_record(
        case_id=case.pk,
        user=staff,
        direction="in",
        method="letter",
        occurred_on=TODAY(),
        sender="ICE",
        recipient="Sheriff",
        summary="Three files came back.",
        files=[
            upload("damaged.pdf", damaged),
            upload("locked.pdf", _encrypted_pdf("Locked attachment text")),
            upload("good.pdf", tiny_pdf("Good attachment text")),
        ],
    )
    content = exports.case_file_pdf(bundle=selectors.case_file(case=case, include_private=True))
    text = _text(content)
    assert "Good attachment text" in text
    assert "Locked attachment text" not in text
    assert "damaged.pdf (PDF" in text and "locked.pdf (PDF" in text
    assert text.count("in the ZIP of originals") == 2
    assert text.count("follows in date order") == 1


@pytest.mark.django_db
def test_an_export_through_the_pages_runs_and_offers_its_file(
    case, staff, client, django_capture_on_commit_callbacks
):
    _private_case(case, staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("correspondence:export_create", args=[case.pk]), {"kind": "pdf"}
        )
    export = CaseExport.objects.get()
    assert export.include_private is False and export.status == "done"
    page = client.get(response.url).content.decode()
    assert 'src="/static/js/export.js"' in page
    download = client.get(reverse("correspondence:export_download", args=[export.pk]))
    public = _text(b"".join(download.streaming_content))
    assert "The open reply." in public and "Attachment open text" in public
    assert "The secret reply." not in public and "Internal strategy note." not in public
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("correspondence:export_create", args=[case.pk]), {"kind": "zip"})
    private = CaseExport.objects.get(kind="zip")
    assert private.include_private is True
    client.logout()
    assert client.get(private.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("correspondence:export_download", args=[private.pk])).status_code == 404
    )


@pytest.mark.services
def test_an_export_runs_on_a_real_worker(celery_worker_process, case, staff, settings):
    celery_worker_process.start(
        extra_env={
            "SCOMM_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "SCOMM_PRIVATE_MEDIA_ROOT": str(settings.SCOMM_PRIVATE_MEDIA_ROOT),
        }
    )
    # A transactional test starts from a flushed database: seed the templates again.
    defaults.letter_templates_install_defaults()
    _private_case(case, staff)
    export = exports.case_export_request(case_id=case.pk, user=staff, kind="pdf")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if export.status in ("done", "failed"):
            break
        time.sleep(0.3)
    assert export.status == "done", export.message
    assert export.progress == 100
    text = _text(export.file.open("rb").read())
    assert "The secret reply." in text and "Timeline" in text


def test_the_jurisdictions_people_build_the_public_version_to_share(
    case, staff, client, django_capture_on_commit_callbacks
):
    _private_case(case, staff)
    client.force_login(staff)
    form = client.get(reverse("correspondence:export_create", args=[case.pk])).content.decode()
    assert 'name="version" value="public"' in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("correspondence:export_create", args=[case.pk]),
            {"kind": "pdf", "version": "public"},
        )
    export = CaseExport.objects.get()
    assert export.include_private is False and export.requested_by == staff
    assert "public version" in client.get(response.url).content.decode()
    client.logout()
    assert client.get(response.url).status_code == 200  # the address can be shared
    download = client.get(reverse("correspondence:export_download", args=[export.pk]))
    text = _text(b"".join(download.streaming_content))
    assert "The open reply." in text
    for secret in ("The secret reply.", "Unsent follow-up draft", "Internal strategy note."):
        assert secret not in text


def test_the_progress_says_what_is_ready_not_ready_twice(
    case, staff, client, django_capture_on_commit_callbacks
):
    _private_case(case, staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("correspondence:export_create", args=[case.pk]), {"kind": "pdf"}
        )
    export = CaseExport.objects.get()
    state = client.get(reverse("correspondence:export_status", args=[export.pk])).json()
    pages = len(PdfReader(export.file.open("rb")).pages)
    assert state["label"] == "Ready"
    assert re.fullmatch(rf"{pages} pages, [0-9.]+\xa0(KB|bytes|MB)", state["message"])
    page = client.get(response.url).content.decode()
    assert "Ready: Ready" not in page and f"Ready: {pages} pages" in page
    CaseExport.objects.filter(pk=export.pk).update(message="Ready")  # built before the fix
    assert (
        client.get(reverse("correspondence:export_status", args=[export.pk])).json()["message"]
        == ""
    )


def _a4_pdf(text: str) -> bytes:
    from correspondence import pdf

    return pdf.render_html_pdf(html=f"<style>@page {{ size: A4 }}</style><p>{text}</p>")


@pytest.mark.django_db
def test_every_page_of_the_merged_file_is_numbered_whatever_its_size(case, staff):
    _private_case(case, staff)
    log.correspondence_record(
        case_id=case.pk,
        user=staff,
        direction="in",
        method="letter",
        occurred_on=TODAY(),
        sender="ICE",
        recipient="Sheriff",
        summary="An A4 reply.",
        files=[upload("a4.pdf", _a4_pdf("A4 attachment text"))],
    )
    content = exports.case_file_pdf(bundle=selectors.case_file(case=case, include_private=True))
    reader = PdfReader(io.BytesIO(content))
    total = len(reader.pages)
    assert _numbered(reader) == [[f"Page {n} of {total}"] for n in range(1, total + 1)]
    assert "A4 attachment text" in _text(content)
    assert "jurisdiction's version" in reader.pages[-1].extract_text()


def test_the_public_export_is_built_once_until_the_case_changes(
    case, staff, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import AnonymousUser

    from optouts import services as case_services

    with django_capture_on_commit_callbacks(execute=True):
        first = exports.case_export_request(case_id=case.pk, user=AnonymousUser(), kind="zip")
    first.refresh_from_db()
    assert first.status == "done"
    again = exports.case_export_request(case_id=case.pk, user=AnonymousUser(), kind="zip")
    assert again.pk == first.pk
    case_services.event_record(case_id=case.pk, user=staff, kind="reply", summary="New reply")
    fresh = exports.case_export_request(case_id=case.pk, user=AnonymousUser(), kind="zip")
    assert fresh.pk != first.pk


def test_old_exports_are_deleted_with_their_files(
    case, staff, client, django_capture_on_commit_callbacks, settings
):
    from django.utils import timezone

    settings.SCOMM_EXPORT_KEEP_DAYS = 7
    with django_capture_on_commit_callbacks(execute=True):
        old = exports.case_export_request(case_id=case.pk, user=staff, kind="zip")
        recent = exports.case_export_request(case_id=case.pk, user=staff, kind="pdf")
    old.refresh_from_db()
    recent.refresh_from_db()
    old_path, recent_path = old.file.path, recent.file.path
    eight_days_ago = timezone.now() - datetime.timedelta(days=8)
    CaseExport.objects.filter(pk=old.pk).update(created_at=eight_days_ago)

    assert exports.exports_expire() == 1
    assert not CaseExport.objects.filter(pk=old.pk).exists()
    assert not os.path.exists(old_path)
    assert os.path.exists(recent_path)
    client.force_login(staff)
    assert client.get(old.get_absolute_url()).status_code == 404
    page = client.get(recent.get_absolute_url()).content.decode()
    assert "kept for 7 days" in page
    assert exports.exports_expire() == 0  # nothing more to do
