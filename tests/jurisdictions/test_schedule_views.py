"""The upload → preview → apply pages: who may use them, what they say, and their query counts."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jurisdictions.models import Jurisdiction, ScheduleVersion
from tests.factories import UserFactory

from .test_schedule_support import D, csv_bytes, directory, snapshot, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(db):
    return directory()


UPLOAD = reverse("jurisdictions:schedule_upload")
ROWS = [
    ["CA", "Los Angeles County", "06037", "8/27/2010", ""],
    ["VA", "Arlington", "", "September 21, 2010", ""],
]


@pytest.fixture
def admin_client(db):
    user = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def post_file(client, content, name="ice.csv", **extra):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content, "text/csv")}, **extra)


def test_only_staff_with_the_permission_get_in(client, places):
    response = client.get(UPLOAD)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    clerk = UserFactory()
    client.force_login(clerk)
    assert client.get(UPLOAD).status_code == 403
    clerk.is_staff = True
    clerk.save()
    assert client.get(UPLOAD).status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="add_scheduleversion"))
    clerk = type(clerk).objects.get(pk=clerk.pk)
    client.force_login(clerk)
    assert client.get(UPLOAD).status_code == 200
    # Checking is not applying: without the apply permission there is no Apply button.
    response = post_file(client, csv_bytes(ROWS))
    preview = client.get(response["Location"])
    assert "Apply this schedule" not in preview.content.decode()
    version = ScheduleVersion.objects.get()
    assert (
        client.post(reverse("optouts:schedule_apply", args=[version.pk])).status_code == 403
    )


def test_upload_preview_apply(admin_client, places, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(admin_client, csv_bytes(ROWS, bom=True))
    version = ScheduleVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jurisdictions:schedule_preview", args=[version.pk])
    body = admin_client.get(response["Location"]).content.decode()
    assert 'id="count-new">2<' in body
    assert "Apply this schedule" in body
    assert "Los Angeles County, CA" in body and "Aug 27, 2010" in body
    response = admin_client.post(reverse("optouts:schedule_apply", args=[version.pk]))
    assert response.status_code == 302
    body = admin_client.get(response["Location"]).content.decode()
    assert "Schedule applied: 2 new, 0 changed, 0 unchanged; 0 open cases flagged." in body
    assert "This schedule is applied" in body
    assert Jurisdiction.objects.get(pk=places["la"].pk).scheduled_activation == D(2010, 8, 27)


def test_an_xlsx_upload_works_the_same(admin_client, places, django_capture_on_commit_callbacks):
    rows = [["CA", "Los Angeles", 6037, datetime.datetime(2010, 8, 27), None]]
    with django_capture_on_commit_callbacks(execute=True):
        post_file(admin_client, xlsx_bytes(rows), name="ice.xlsx")
    version = ScheduleVersion.objects.get()
    assert version.report["new"][0]["new_scheduled"] == "2010-08-27"


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "letter.pdf", "“letter.pdf” is not a spreadsheet"),
        (b"", "empty.csv", "The submitted file is empty."),
        (b"State,County\nCA,LA\n", "plan.csv", "Missing: Scheduled activation date"),
    ],
    ids=["pdf", "empty", "wrong-columns"],
)
def test_a_file_that_is_not_a_schedule_is_refused_on_the_form(
    admin_client, places, content, name, message
):
    before = snapshot()
    response = post_file(admin_client, content, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not ScheduleVersion.objects.exists()
    assert snapshot() == before


def test_a_file_over_the_size_limit_is_refused(admin_client, places, settings):
    settings.SCOMM_MAX_UPLOAD_BYTES = 100
    response = post_file(admin_client, csv_bytes(ROWS * 5))
    assert response.status_code == 400
    assert "a schedule can be at most 100" in response.content.decode()
    assert not ScheduleVersion.objects.exists()


def test_posting_without_the_csrf_token_is_refused(places):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = post_file(client, csv_bytes(ROWS))
    assert response.status_code == 403
    assert not ScheduleVersion.objects.exists()


def test_rows_in_error_are_listed_and_there_is_no_apply_button(
    admin_client, places, django_capture_on_commit_callbacks
):
    rows = [*ROWS, ["Calfornia", "Los Angeles", "", "2/30/2010", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(admin_client, csv_bytes(rows))
    body = admin_client.get(response["Location"]).content.decode()
    assert "1 row is in error, so nothing can be applied" in body
    assert '<td data-label="Row">4</td><td data-label="Column">State</td>' in body
    assert '<td data-label="Value">Calfornia</td>' in body
    assert "February 2010 has no day 30" in body
    assert "Apply this schedule" not in body
    version = ScheduleVersion.objects.get()
    before = snapshot()
    response = admin_client.post(reverse("optouts:schedule_apply", args=[version.pk]))
    assert snapshot() == before
    assert "none of it can be applied" in admin_client.get(response["Location"]).content.decode()


def test_while_checking_the_page_shows_progress_and_the_status_says_so(admin_client, places):
    # Without running the queued check (as when the worker has not picked it up yet).
    post_file(admin_client, csv_bytes(ROWS))
    version = ScheduleVersion.objects.get()
    assert version.status == ScheduleVersion.Status.CHECKING
    body = admin_client.get(version.get_absolute_url()).content.decode()
    assert '<progress id="schedule-progress" max="100" value="0">' in body
    assert "js/schedule_progress.js" in body
    status = admin_client.get(reverse("jurisdictions:schedule_status", args=[version.pk])).json()
    assert status == {
        "status": "checking",
        "done": False,
        "rows_checked": 0,
        "rows_total": 2,
        "percent": 0,
    }
    from jurisdictions.tasks import schedule_check

    schedule_check(version.pk)
    status = admin_client.get(reverse("jurisdictions:schedule_status", args=[version.pk])).json()
    assert status["done"] is True and status["percent"] == 100


def test_the_preview_keeps_a_fixed_number_of_queries(
    admin_client, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from jurisdictions.services import directory_load_census

    directory_load_census()
    few, many = [], []
    for i, j in enumerate(Jurisdiction.objects.exclude(fips="").select_related("state")[:1500]):
        row = [j.state.postal_code, j.name, j.fips, f"10/{1 + i % 28}/2010", ""]
        (few if i < 3 else many).append(row)
    many.append(["CA", "Gotham", "", "6/8/2010", ""])
    for rows in (few, few + many):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_file(admin_client, csv_bytes(rows))
        # One of them counts the open cases the schedule would flag, as they are now.
        with django_assert_max_num_queries(5):
            page = admin_client.get(response["Location"])
        assert page.status_code == 200
    assert "1,497" in page.content.decode() or "1497" in page.content.decode()


def test_the_admin_lists_schedules_with_an_upload_button(
    admin_client, places, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            post_file(admin_client, csv_bytes(ROWS))
    url = reverse("admin:jurisdictions_scheduleversion_changelist")
    with django_assert_max_num_queries(8):
        response = admin_client.get(url)
    body = response.content.decode()
    assert "Upload a schedule" in body and UPLOAD in body
    assert body.count("Preview</a>") == 3
    add = admin_client.get(reverse("admin:jurisdictions_scheduleversion_add"))
    assert add.status_code == 302 and add["Location"] == UPLOAD


def test_discard_and_recheck(admin_client, places, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_file(admin_client, csv_bytes(ROWS))
    version = ScheduleVersion.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("jurisdictions:schedule_recheck", args=[version.pk]))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == ScheduleVersion.Status.CHECKED
    response = admin_client.post(reverse("jurisdictions:schedule_discard", args=[version.pk]))
    assert response["Location"] == reverse("admin:jurisdictions_scheduleversion_changelist")
    assert not ScheduleVersion.objects.exists()
