"""
The preview and the apply form: rows that would override a resolution stand in
their own section naming the case, and are applied only where ticked; the
preview shows each row's plan status now beside the new values.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jurisdictions.models import Jurisdiction, PlanStatus, ScheduleVersion
from optouts.models import OptOutRequest
from tests.factories import UserFactory

from .test_schedule_support import D, csv_bytes, directory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db):
    user = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def removed(db):
    places = directory()
    arlington = places["arlington"]
    Jurisdiction.objects.filter(pk=arlington.pk).update(
        plan_status=PlanStatus.REMOVED, scheduled_activation=D(2010, 9, 21)
    )
    case = OptOutRequest.objects.create(
        jurisdiction=arlington,
        requesting_official="Sheriff Beth Arthur",
        requesting_body="sheriff",
        stage="resolved",
        outcome="removed",
        opened_on=D(2010, 9, 1),
        closed_on=D(2010, 10, 1),
    )
    return places, case


ROWS = [
    ["VA", "Arlington", "51013", "11/2/2010", ""],
    ["CA", "Los Angeles County", "06037", "8/27/2010", ""],
]


def uploaded(client, django_capture_on_commit_callbacks, rows=ROWS) -> ScheduleVersion:
    upload = SimpleUploadedFile("ice.csv", csv_bytes(rows), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("jurisdictions:schedule_upload"), {"file": upload})
    assert response.status_code == 302
    return ScheduleVersion.objects.latest("id")


def test_the_preview_puts_a_removed_county_in_its_own_section_naming_the_case(
    admin_client, removed, django_capture_on_commit_callbacks
):
    places, case = removed
    version = uploaded(admin_client, django_capture_on_commit_callbacks)
    body = admin_client.get(version.get_absolute_url()).content.decode()
    section = body[
        body.index('id="schedule-held"') : body.index("</table>", body.index('id="schedule-held"'))
    ]
    assert "Arlington County, VA" in section and "Removed from plan → Scheduled" in section
    assert f"request no. {case.pk}" in section and case.get_absolute_url() in section
    assert 'name="confirm"' in section and 'form="apply-form"' in section
    new = body[body.index('id="schedule-new"') :]
    assert "Los Angeles County, CA" in new and "Not scheduled" in new  # the status now
    assert "Arlington" not in new[: new.index("</table>")]


def test_applying_without_ticking_leaves_the_county_removed(
    admin_client, removed, django_capture_on_commit_callbacks
):
    places, case = removed
    version = uploaded(admin_client, django_capture_on_commit_callbacks)
    response = admin_client.post(reverse("optouts:schedule_apply", args=[version.pk]), follow=True)
    assert "1 row held back over a resolution was not applied" in response.content.decode()
    assert Jurisdiction.objects.get(pk=places["arlington"].pk).plan_status == PlanStatus.REMOVED
    assert Jurisdiction.objects.get(pk=places["la"].pk).scheduled_activation == D(2010, 8, 27)


def test_a_ticked_row_is_applied(admin_client, removed, django_capture_on_commit_callbacks):
    places, case = removed
    version = uploaded(admin_client, django_capture_on_commit_callbacks)
    admin_client.post(
        reverse("optouts:schedule_apply", args=[version.pk]),
        {"confirm": [str(places["arlington"].pk)]},
    )
    arlington = Jurisdiction.objects.get(pk=places["arlington"].pk)
    assert (arlington.plan_status, arlington.scheduled_activation) == ("scheduled", D(2010, 11, 2))
    [entry] = arlington.history.filter(
        history_change_reason__contains="confirmed over a resolution"
    )
    assert entry


def test_an_upload_of_a_file_already_applied_is_refused_at_the_field(
    admin_client, removed, django_capture_on_commit_callbacks
):
    version = uploaded(admin_client, django_capture_on_commit_callbacks)
    admin_client.post(reverse("optouts:schedule_apply", args=[version.pk]))
    upload = SimpleUploadedFile("again.csv", csv_bytes(ROWS), content_type="text/csv")
    response = admin_client.post(reverse("jurisdictions:schedule_upload"), {"file": upload})
    assert response.status_code == 400
    assert "already applied on" in response.content.decode()
    assert ScheduleVersion.objects.count() == 1


def test_an_ice_list_with_a_bad_row_is_shown_with_the_row_and_nothing_applies(
    admin_client, removed, django_capture_on_commit_callbacks
):
    version = uploaded(
        admin_client,
        django_capture_on_commit_callbacks,
        rows=[["VA", "Fairfax", "", "6/8/2010", ""]],
    )
    body = admin_client.get(version.get_absolute_url()).content.decode()
    assert "Fairfax County and Fairfax city" in body and 'id="apply-schedule"' not in body
