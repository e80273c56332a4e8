"""
Dates in range: every date field of every form, and every service, refuses
a date outside 2005-2099 with the same words; a far date already stored
(from before the check) never takes a page, the calendar or the reminders down.
"""

import datetime
import inspect

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.forms import DATE_RANGE_MESSAGE, date_in_range
from optouts import services as optouts
from optouts.models import CaseEvent, OptOutRequest
from tests.factories import JurisdictionFactory, MembershipFactory, case_with_notice_sent

pytestmark = pytest.mark.django_db

FORM_MODULES = (
    "optouts.forms",
    "correspondence.forms",
    "reminders.forms",
    "public.forms",
)


def _form_classes():
    import importlib

    for name in FORM_MODULES:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name:
                yield cls


def _date_fields(cls):
    fields = dict(cls.base_fields)
    return {n: f for n, f in fields.items() if isinstance(f, forms.DateField | forms.DateTimeField)}


# A snooze is bounded tighter by its service (after today, a year at most), in its own words.
TIGHTER = {"SnoozeForm"}


def test_every_date_field_of_every_form_checks_the_range():
    checked = 0
    for cls in _form_classes():
        if cls.__name__ in TIGHTER:
            continue
        for name, field in _date_fields(cls).items():
            assert date_in_range in field.validators, f"{cls.__name__}.{name}"
            checked += 1
    # The forms of a case page, the letters, the log and the reminders carry dates.
    assert checked >= 12


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "2004-12-31", "2100-01-01"])
def test_a_date_out_of_range_is_refused_at_its_field(value):
    from optouts.forms import DeliveryForm

    form = DeliveryForm(
        {"recipient_name": "ICE", "method": "letter", "sent_on": value, "reference": ""}
    )
    assert not form.is_valid()
    assert form.errors["sent_on"] == [DATE_RANGE_MESSAGE]


@pytest.mark.parametrize("value", ["9999-12-31T18:00", "9999-12-31T23:30", "0001-01-01T00:00"])
def test_a_meeting_out_of_range_is_refused_at_its_field(value):
    from optouts.forms import ScheduleMeetingForm

    form = ScheduleMeetingForm({"meeting_at": value})
    assert not form.is_valid()
    assert form.errors["meeting_at"] == [DATE_RANGE_MESSAGE]


def test_the_edges_of_the_range_are_accepted():
    from optouts.forms import ResolveForm

    for day in ("2005-01-01", "2099-12-31"):
        form = ResolveForm(
            {"outcome": "date_adjusted", "new_activation": day, "occurred_on": "2010-06-01"}
        )
        form.is_valid()
        assert "new_activation" not in form.errors


def test_the_services_refuse_a_far_date_with_the_forms_words():
    case = case_with_notice_sent(opened_on=datetime.date(2010, 5, 1))
    user = MembershipFactory(jurisdiction=case.jurisdiction, role="staff").user
    far = timezone.make_aware(datetime.datetime(9999, 12, 31, 18, 0))
    before = (case.version, CaseEvent.objects.filter(request=case).count())
    with pytest.raises(ValidationError) as caught:
        optouts.optout_request_meeting(
            case_id=case.pk, user=user, occurred_on=datetime.date(1, 1, 1)
        )
    assert caught.value.message_dict == {"occurred_on": [DATE_RANGE_MESSAGE]}
    optouts.optout_request_meeting(
        case_id=case.pk, user=user, occurred_on=datetime.date(2010, 6, 1)
    )
    with pytest.raises(ValidationError) as caught:
        optouts.optout_schedule_meeting(case_id=case.pk, user=user, meeting_at=far)
    assert caught.value.message_dict == {"meeting_at": [DATE_RANGE_MESSAGE]}
    with pytest.raises(ValidationError) as caught:
        optouts.delivery_record(
            case_id=case.pk,
            user=user,
            recipient="other",
            recipient_name="AG",
            method="letter",
            sent_on=datetime.date(1999, 1, 1),
        )
    assert caught.value.message_dict == {"sent_on": [DATE_RANGE_MESSAGE]}
    case.refresh_from_db()
    assert case.stage == "meeting_requested"
    assert CaseEvent.objects.filter(request=case).count() == before[1] + 1


def _far_meeting_case():
    """A public case whose meeting was stored at the last evening Python knows (before the check)."""
    jurisdiction = JurisdictionFactory(scheduled_activation=datetime.date(9999, 12, 31))
    case = case_with_notice_sent(jurisdiction=jurisdiction, opened_on=datetime.date(2010, 5, 1))
    user = MembershipFactory(jurisdiction=jurisdiction, role="staff").user
    optouts.optout_request_meeting(
        case_id=case.pk, user=user, occurred_on=datetime.date(2010, 6, 1)
    )
    far = datetime.datetime(9999, 12, 31, 23, 0, tzinfo=datetime.UTC)
    OptOutRequest.objects.filter(pk=case.pk).update(stage="meeting_scheduled", meeting_at=far)
    return case, user


def test_a_far_date_already_stored_breaks_no_page(client):
    case, user = _far_meeting_case()
    for url in (
        reverse("public:calendar"),
        reverse("public:case_calendar", args=[case.pk]),
        case.get_absolute_url(),
        reverse("home"),
        reverse("public:cases_csv"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    client.force_login(user)
    for url in (case.get_absolute_url(), reverse("home"), reverse("reminders:list")):
        response = client.get(url)
        assert response.status_code == 200, url
    assert b"9999" in client.get(reverse("public:calendar")).content


def test_the_reminders_sweep_passes_a_far_date_by(settings):
    from reminders.services import reminders_sweep

    _far_meeting_case()
    reminders_sweep(today=datetime.date(2010, 7, 1))
    reminders_sweep()


def test_date_arithmetic_of_the_reminders_clamps_at_the_last_day():
    from reminders.schedule import latest_due, next_due, shift

    last = datetime.date.max
    assert shift(last, 3, business=False, before=False) == last
    assert shift(last, 3, business=True, before=False) == last
    assert shift(datetime.date.min, 3, business=True, before=True) == datetime.date.min
    today = datetime.date(2010, 7, 1)
    assert latest_due(anchor=last, days=[3], today=today, before=True) is None
    assert next_due(anchor=last, days=[3], today=today, repeat_every=7) == last
