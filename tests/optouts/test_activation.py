"""
Activation is on the case: when an open case's jurisdiction gets its actual
activation date — by jurisdiction_plan_update, an edit in the admin or a
deployment schedule — the case's timeline gets a public "Jurisdiction
activated" event dated the activation day, written with the date or not at all.
"""

import datetime

import pytest
from django.urls import reverse

from jurisdictions.models import Jurisdiction, PlanStatus
from jurisdictions.schedules import services as plan_services
from jurisdictions.services import jurisdiction_plan_update
from optouts import services
from optouts.models import CaseEvent, Stage
from public.services import NOTIFIED_KINDS
from tests.factories import JurisdictionFactory, OptOutRequestFactory, UserFactory
from tests.jurisdictions.test_schedule_support import csv_bytes, directory

pytestmark = pytest.mark.django_db
D = datetime.date


def activation_events(case):
    return list(CaseEvent.objects.filter(request=case, kind=CaseEvent.Kind.ACTIVATION))


@pytest.fixture
def admin_user(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_a_plan_update_records_the_activation_on_each_open_case_dated_the_day(admin_user):
    county = JurisdictionFactory(scheduled_activation=D(2010, 6, 8))
    open_case = OptOutRequestFactory(jurisdiction=county, opened_on=D(2010, 6, 3))
    closed = OptOutRequestFactory(
        jurisdiction=county, stage=Stage.WITHDRAWN, opened_on=D(2010, 5, 1), closed_on=D(2010, 6, 1)
    )
    version = open_case.version
    jurisdiction_plan_update(
        jurisdiction_id=county.pk,
        user=admin_user,
        reason="ICE's letter of June 9, 2010",
        actual_activation=D(2010, 6, 8),
        plan_status=PlanStatus.ACTIVATED,
    )
    [event] = activation_events(open_case)
    assert event.occurred_on == D(2010, 6, 8) and event.is_public
    assert event.actor == admin_user and event.source == "ICE's letter of June 9, 2010"
    assert "activated in" in event.summary and "while this request was open" in event.summary
    assert activation_events(closed) == []
    open_case.refresh_from_db()
    assert open_case.version == version + 1
    assert open_case.is_activated_while_pending


def test_an_activation_before_the_request_says_so():
    county = JurisdictionFactory()
    case = OptOutRequestFactory(jurisdiction=county, opened_on=D(2010, 9, 1))
    services.activations_record(activations={county.pk: D(2010, 6, 8)})
    [event] = activation_events(case)
    assert event.summary.endswith("on Jun 8, 2010, before this request was made.")


def test_recording_the_same_activation_again_adds_nothing(admin_user):
    county = JurisdictionFactory()
    case = OptOutRequestFactory(jurisdiction=county)
    services.activations_record(activations={county.pk: D(2010, 6, 8)}, user=admin_user)
    services.activations_record(activations={county.pk: D(2010, 6, 8)}, user=admin_user)
    assert len(activation_events(case)) == 1


def test_followers_are_told_and_the_event_is_announced_after_commit(
    admin_user, django_capture_on_commit_callbacks
):
    from optouts.signals import case_events_added

    assert CaseEvent.Kind.ACTIVATION in NOTIFIED_KINDS
    county = JurisdictionFactory()
    case = OptOutRequestFactory(jurisdiction=county)
    heard = []

    def listen(sender, *, event_ids, case_ids, **kwargs):
        heard.append(case_ids)

    case_events_added.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            jurisdiction_plan_update(
                jurisdiction_id=county.pk, reason="test", actual_activation=D(2010, 6, 8)
            )
    finally:
        case_events_added.disconnect(listen)
    assert heard == [[case.pk]]


def test_a_failed_event_write_leaves_the_activation_date_unsaved(admin_user, monkeypatch):
    county = JurisdictionFactory()
    OptOutRequestFactory(jurisdiction=county)

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("optouts.services.activation.events_add_many", broken)
    with pytest.raises(RuntimeError):
        jurisdiction_plan_update(
            jurisdiction_id=county.pk, reason="test", actual_activation=D(2010, 6, 8)
        )
    assert Jurisdiction.objects.get(pk=county.pk).actual_activation is None


def test_an_admin_edit_of_the_activation_date_records_it(client, admin_user):
    county = JurisdictionFactory(fips="")
    case = OptOutRequestFactory(jurisdiction=county)
    client.force_login(admin_user)
    url = reverse("admin:jurisdictions_jurisdiction_change", args=[county.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "state": county.state_id,
            "scheduled_activation": "2010-06-08",
            "actual_activation": "2010-06-08",
            "plan_status": "activated",
            "scheduled_activation_precision": "day",
            "actual_activation_precision": "day",
            "offices-TOTAL_FORMS": "0",
            "offices-INITIAL_FORMS": "0",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    data.pop("seal", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    [event] = activation_events(case)
    assert event.occurred_on == D(2010, 6, 8) and event.source == "Edited in the admin"


def test_a_schedule_with_an_actual_date_records_it_with_its_precision(admin_user):
    places = directory()
    case = OptOutRequestFactory(jurisdiction=places["sf"])
    content = csv_bytes([["CA", "San Francisco", "", "", "June 2010"]])
    report, version = services.schedule_load(
        file_name="activated.csv", content=content, user=admin_user
    )
    assert version is not None, report["errors"]
    [event] = activation_events(case)
    assert event.occurred_on == D(2010, 6, 1) and event.date_precision == "month"
    assert f"no. {version.pk}" in event.source
    j = Jurisdiction.objects.get(pk=places["sf"].pk)
    assert (j.actual_activation, j.actual_activation_precision) == (D(2010, 6, 1), "month")
    assert plan_services.already_applied(version.sha256)["id"] == version.pk


def test_the_case_page_shows_the_recorded_activation_once(client, admin_user):
    county = JurisdictionFactory(name="Gotham County")
    case = OptOutRequestFactory(jurisdiction=county)
    jurisdiction_plan_update(jurisdiction_id=county.pk, reason="t", actual_activation=D(2010, 6, 8))
    client.force_login(admin_user)
    body = client.get(case.get_absolute_url()).content.decode()
    assert body.count("Secure Communities was activated in Gotham County") == 1


def test_reminders_stop_counting_down_to_an_activated_jurisdiction():
    """The activation rule reads only jurisdictions not yet activated."""
    import inspect

    from reminders import selectors

    assert "jurisdiction__actual_activation__isnull=True" in inspect.getsource(selectors)
