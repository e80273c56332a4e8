import datetime

import pytest
from django.core.management import call_command

from jurisdictions.models import Jurisdiction, State
from optouts.models import CaseEvent, Delivery, OptOutRequest

pytestmark = pytest.mark.django_db


def test_load_demo_loads_every_county_and_is_idempotent():
    call_command("load_demo", stdout=open("/dev/null", "w"))
    counts = (
        State.objects.count(), Jurisdiction.objects.count(), OptOutRequest.objects.count(),
        CaseEvent.objects.count(), Delivery.objects.count(),
    )
    states_and_dc = Jurisdiction.objects.filter(state__is_territory=False).count()
    assert states_and_dc == 3143
    assert State.objects.filter(is_territory=False).count() == 51

    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert (
        State.objects.count(), Jurisdiction.objects.count(), OptOutRequest.objects.count(),
        CaseEvent.objects.count(), Delivery.objects.count(),
    ) == counts


def test_load_demo_has_the_real_2010_activation_dates():
    call_command("load_demo", stdout=open("/dev/null", "w"))
    sf = Jurisdiction.objects.get(fips="06075")
    santa_clara = Jurisdiction.objects.get(fips="06085")
    assert sf.actual_activation == datetime.date(2010, 6, 8)
    assert santa_clara.actual_activation == datetime.date(2010, 5, 4)
    assert Jurisdiction.objects.get(fips="11001").plan_status == Jurisdiction.PlanStatus.REMOVED


def test_the_demo_san_francisco_case_was_activated_while_pending():
    call_command("load_demo", stdout=open("/dev/null", "w"))
    first = (
        OptOutRequest.objects.with_activated_while_pending()
        .get(jurisdiction__fips="06075", reopens__isnull=True)
    )
    assert first.activated_while_pending
    assert first.outcome == "denied"
    renewed = first.reopened_by
    assert renewed.stage == "notice_sent"
    assert renewed.opened_on == datetime.date(2010, 8, 30)
