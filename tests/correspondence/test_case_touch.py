"""
Nothing private outlives its privacy: every change to what a case shows —
an event (an admin's edit of who may see it too), a copy of the notice, a
correspondence entry and its files, a letter, made by a service or in the
admin, saved or deleted — moves the case's updated_at (what a built case
file is judged by) without moving its version (the lock of its forms), and
renews the kept pages: a page, feed, API answer or CSV served and kept
before an item was made private no longer shows it afterwards.
"""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from correspondence import letters, log
from correspondence.models import Attachment, CaseExport, Correspondence, Letter
from optouts import services
from optouts.models import CaseEvent, OptOutRequest
from tests.factories import UserFactory, case_with_notice_sent

from .conftest import tiny_pdf

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.make_aware(datetime.datetime(2011, 1, 1))
MARKER = "QX-SECRET-4471"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def public_case(db):
    return case_with_notice_sent(opened_on=timezone.localdate() - datetime.timedelta(days=20))


def _aged(case) -> tuple[datetime.datetime, int]:
    """Set the case's updated_at far back; its version as it is."""
    OptOutRequest.objects.filter(pk=case.pk).update(updated_at=LONG_AGO)
    return LONG_AGO, OptOutRequest.objects.get(pk=case.pk).version


def _stamp(case) -> tuple[datetime.datetime, int]:
    return OptOutRequest.objects.values_list("updated_at", "version").get(pk=case.pk)


def _entry(case, user, *, files=(), is_public=True, summary="Reply from the SIB") -> Correspondence:
    return log.correspondence_record(
        case_id=case.pk,
        user=user,
        direction="in",
        method="letter",
        occurred_on=timezone.localdate(),
        sender="The SIB",
        recipient="The Sheriff",
        summary=summary,
        is_public=is_public,
        files=files,
        on_timeline=False,
    )


def _pdf_upload(name="reply.pdf"):
    return SimpleUploadedFile(name, tiny_pdf(), content_type="application/pdf")


def admin_form_data(response) -> dict:
    """The values an admin change form shows, as its Save button would post them."""
    data = {}

    def add(form):
        for field in form:
            if field.is_hidden or not getattr(field.field, "disabled", False):
                value = field.value()
                if isinstance(value, bool):
                    if value:
                        data[field.html_name] = "on"
                    continue
                if value is None:
                    value = ""
                data[field.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    data["_save"] = "Save"
    return data


def _admin_change(admin_client, obj, **changes):
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    data = admin_form_data(admin_client.get(url))
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return admin_client.post(url, data)


def _admin_delete(admin_client, obj):
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_delete", args=[obj.pk])
    return admin_client.post(url, {"post": "yes"})


# --- each kind of row, each way of writing it --------------------------------


def test_a_timeline_entry_added_by_the_service_touches_the_case(public_case):
    old, _ = _aged(public_case)
    services.event_record(
        case_id=public_case.pk, user=public_case.created_by, kind="note", summary="A note."
    )
    assert _stamp(public_case)[0] > old


def test_an_admin_edit_of_an_events_visibility_touches_the_case_not_its_version(
    admin_client, public_case
):
    event = public_case.events.filter(kind=CaseEvent.Kind.DELIVERY).first()
    old, version = _aged(public_case)
    response = _admin_change(admin_client, event, is_public=False)
    assert response.status_code == 302, response.content.decode()[:2000]
    event.refresh_from_db()
    assert event.is_public is False
    updated_at, now_version = _stamp(public_case)
    assert updated_at > old and now_version == version


def test_an_events_visibility_changed_in_the_cases_own_admin_page_touches_it(
    admin_client, public_case
):
    event = public_case.events.filter(kind=CaseEvent.Kind.DELIVERY).first()
    old, _ = _aged(public_case)
    url = reverse("admin:optouts_optoutrequest_change", args=[public_case.pk])
    data = admin_form_data(admin_client.get(url))
    [name] = [
        n
        for n, v in data.items()
        if n.startswith("events-") and n.endswith("-id") and v == str(event.pk)
    ]
    data.pop(name.replace("-id", "-is_public"))
    assert admin_client.post(url, data).status_code == 302
    event.refresh_from_db()
    assert event.is_public is False
    assert _stamp(public_case)[0] > old


def test_a_copy_of_the_notice_touches_the_case(public_case):
    # The copies' own service bumps the version too; the touch is what every row shares.
    old, _ = _aged(public_case)
    services.delivery_record(
        case_id=public_case.pk,
        user=public_case.created_by,
        recipient="attorney_general",
        recipient_name="The Attorney General",
        method="letter",
        sent_on=timezone.localdate(),
    )
    assert _stamp(public_case)[0] > old


def test_correspondence_and_its_files_touch_the_case(public_case):
    old, version = _aged(public_case)
    entry = _entry(public_case, public_case.created_by, files=[_pdf_upload()])
    stamp = _stamp(public_case)
    assert stamp[0] > old and stamp[1] == version

    attachment = entry.attachments.get()
    old, _ = _aged(public_case)
    Attachment.objects.get(pk=attachment.pk).delete()  # read without its correspondence
    assert _stamp(public_case)[0] > old


def test_an_admin_edit_or_delete_of_correspondence_touches_the_case(admin_client, public_case):
    entry = _entry(public_case, public_case.created_by, files=[_pdf_upload()])
    old, version = _aged(public_case)
    response = _admin_change(admin_client, entry, is_public=False)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry.refresh_from_db()
    assert entry.is_public is False
    assert _stamp(public_case)[0] > old and _stamp(public_case)[1] == version

    old, _ = _aged(public_case)
    assert _admin_delete(admin_client, entry).status_code == 302
    assert not Correspondence.objects.filter(pk=entry.pk).exists()
    assert _stamp(public_case)[0] > old


def test_letters_touch_the_case_by_the_service_and_in_the_admin(admin_client, public_case):
    staff = public_case.created_by
    old, version = _aged(public_case)
    letter = letters.letter_draft_create(
        case_id=public_case.pk, user=staff, template_key="notice-sib"
    )
    assert _stamp(public_case)[0] > old and _stamp(public_case)[1] == version

    old, _ = _aged(public_case)
    letters.letter_draft_update(letter_id=letter.pk, user=staff, subject="A new subject")
    assert _stamp(public_case)[0] > old

    old, _ = _aged(public_case)
    response = _admin_change(admin_client, letter, subject="Edited in the admin")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _stamp(public_case)[0] > old

    old, _ = _aged(public_case)
    assert _admin_delete(admin_client, letter).status_code == 302
    assert not Letter.objects.filter(pk=letter.pk).exists()
    assert _stamp(public_case)[0] > old


def test_a_write_that_is_rolled_back_leaves_the_case_as_it_was(public_case):
    old, _ = _aged(public_case)
    with pytest.raises(Exception):  # noqa: B017, PT011 (a refused upload, whatever its class)
        _entry(public_case, public_case.created_by, files=[SimpleUploadedFile("x.exe", b"MZ")])
    assert _stamp(public_case)[0] == old


def test_the_case_is_touched_again_once_the_change_commits(public_case):
    from django.db import connection

    _entry(public_case, public_case.created_by, files=[_pdf_upload(), _pdf_upload("b.pdf")])
    again = [
        callback
        for _, callback, _ in connection.run_on_commit
        if type(callback).__name__ == "_AgainAfterCommit" and callback.case_id == public_case.pk
    ]
    assert len(again) == 1  # once for the case in its transaction, however many rows
    old, _ = _aged(public_case)
    again[0]()
    assert _stamp(public_case)[0] > old


# --- what was served and kept is renewed -------------------------------------


def _public_urls(case) -> dict[str, str]:
    return {
        "case page": case.get_absolute_url(),
        "case feed": reverse("public:feed_case", args=[case.pk]),
        "state feed": reverse("public:feed_state", args=[case.jurisdiction.state.postal_code]),
        "all events feed": reverse("public:feed_events"),
        "API events": reverse("public:api-event-list") + f"?case={case.pk}",
        "overview": reverse("home"),
    }


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_an_event_made_private_in_the_admin_leaves_every_kept_public_copy(
    client, page_cache_on, public_case
):
    staff = public_case.created_by
    services.event_record(
        case_id=public_case.pk, user=staff, kind="reply", summary=f"ICE replied {MARKER}."
    )
    event = public_case.events.get(summary__contains=MARKER)
    urls = _public_urls(public_case)
    for name, url in urls.items():
        assert MARKER in _body(client.get(url)), name
    again = client.get(urls["case page"])
    assert again.headers.get("X-Page-Cache") == "hit"  # the page is kept whole

    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert _admin_change(client, event, is_public=False).status_code == 302
    client.logout()

    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert MARKER not in _body(response), name


def test_a_stage_event_made_private_leaves_the_kept_csv(client, page_cache_on, public_case):
    sent = public_case.events.get(to_stage="notice_sent")
    url = reverse("public:cases_csv")
    first = _body(client.get(url))
    rows = list(csv.DictReader(io.StringIO(first)))
    assert [row["notice_sent_on"] for row in rows] == [sent.occurred_on.isoformat()]
    assert _body(client.get(url)) == first  # the kept copy

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert _admin_change(client, sent, is_public=False).status_code == 302
    client.logout()

    rows = list(csv.DictReader(io.StringIO(_body(client.get(url)))))
    assert [row["notice_sent_on"] for row in rows if row["id"] == str(public_case.pk)] == [""]


def test_correspondence_made_private_in_the_admin_leaves_the_kept_case_page(
    client, page_cache_on, public_case
):
    entry = _entry(public_case, public_case.created_by, summary=f"Letter from ICE {MARKER}")
    page = public_case.get_absolute_url()
    assert MARKER in _body(client.get(page))
    assert client.get(page).headers.get("X-Page-Cache") == "hit"

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert _admin_change(client, entry, is_public=False).status_code == 302
    client.logout()

    assert MARKER not in _body(client.get(page))


# --- the public case file ----------------------------------------------------


def _public_zip(case, capture) -> CaseExport:
    from django.contrib.auth.models import AnonymousUser

    from correspondence import exports

    with capture(execute=True):
        export = exports.case_export_request(
            case_id=case.pk, user=AnonymousUser(), kind="zip", public=True
        )
    export.refresh_from_db()
    return export


def _zip_text(export) -> str:
    import zipfile

    with export.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        return " ".join(
            archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
        )


@pytest.mark.parametrize("what", ["correspondence", "event"])
def test_the_public_case_file_is_built_again_once_something_in_it_is_made_private(
    admin_client, public_case, django_capture_on_commit_callbacks, what
):
    staff = public_case.created_by
    entry = _entry(public_case, staff, summary=f"Letter from ICE {MARKER}")
    services.event_record(
        case_id=public_case.pk, user=staff, kind="reply", summary=f"Call {MARKER}"
    )
    first = _public_zip(public_case, django_capture_on_commit_callbacks)
    assert first.status == "done" and MARKER in _zip_text(first)
    assert _public_zip(public_case, django_capture_on_commit_callbacks).pk == first.pk  # reused

    if what == "correspondence":
        private = entry
    else:
        private = public_case.events.get(summary__contains=MARKER)
    with django_capture_on_commit_callbacks(execute=True):
        assert _admin_change(admin_client, private, is_public=False).status_code == 302

    second = _public_zip(public_case, django_capture_on_commit_callbacks)
    assert second.pk != first.pk and second.status == "done"
    text = _zip_text(second)
    assert (f"Letter from ICE {MARKER}" in text) is (what != "correspondence")
    assert (f"Call {MARKER}" in text) is (what != "event")
