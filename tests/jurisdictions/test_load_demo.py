import datetime

import pytest
from django.core.management import call_command

from jurisdictions.models import Jurisdiction, State
from optouts.models import CaseEvent, Delivery, OptOutRequest

pytestmark = pytest.mark.django_db


def test_load_demo_loads_every_county_and_is_idempotent():
    call_command("load_demo", stdout=open("/dev/null", "w"))
    counts = (
        State.objects.count(),
        Jurisdiction.objects.count(),
        OptOutRequest.objects.count(),
        CaseEvent.objects.count(),
        Delivery.objects.count(),
    )
    states_and_dc = Jurisdiction.objects.filter(state__is_territory=False).count()
    assert states_and_dc == 3143
    assert State.objects.filter(is_territory=False).count() == 51

    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert (
        State.objects.count(),
        Jurisdiction.objects.count(),
        OptOutRequest.objects.count(),
        CaseEvent.objects.count(),
        Delivery.objects.count(),
    ) == counts


def test_load_demo_has_the_real_2010_activation_dates():
    call_command("load_demo", stdout=open("/dev/null", "w"))
    sf = Jurisdiction.objects.get(fips="06075")
    santa_clara = Jurisdiction.objects.get(fips="06085")
    assert sf.actual_activation == datetime.date(2010, 6, 8)
    assert sf.scheduled_activation == datetime.date(2010, 6, 1)
    assert santa_clara.actual_activation == datetime.date(2010, 5, 4)
    assert Jurisdiction.objects.get(fips="51013").actual_activation == datetime.date(2010, 6, 21)
    orange = Jurisdiction.objects.get(fips="37135")
    assert (orange.actual_activation, orange.actual_activation_precision) == (
        datetime.date(2009, 1, 1),
        "month",
    )
    dc = Jurisdiction.objects.get(fips="11001")
    assert (dc.plan_status, dc.actual_activation) == (
        Jurisdiction.PlanStatus.ACTIVATED,
        datetime.date(2012, 6, 5),
    )


def test_the_demo_san_francisco_case_was_activated_while_pending():
    call_command("load_demo", stdout=open("/dev/null", "w"))
    first = OptOutRequest.objects.with_activated_while_pending().get(
        jurisdiction__fips="06075", reopens__isnull=True
    )
    assert first.activated_while_pending
    assert first.outcome == "denied"
    assert first.opened_on == datetime.date(2010, 5, 18)
    renewed = first.reopened_by
    assert renewed.stage == "meeting_postponed"
    assert renewed.opened_on == datetime.date(2010, 8, 31)


def test_the_demo_accounts_sign_in_and_act_for_their_jurisdictions(client):
    from django.contrib.auth import get_user_model

    from scomm.demo import DEMO_PASSWORD

    call_command("load_demo", stdout=open("/dev/null", "w"))
    for username, fips in (
        ("sf-staff", "06075"),
        ("sf-counsel", "06075"),
        ("santaclara-staff", "06085"),
        ("arlington-staff", "51013"),
        ("admin", None),
    ):
        user = get_user_model().objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD) and user.is_active, username
        client.force_login(user)
        if fips:
            case = OptOutRequest.objects.filter(jurisdiction__fips=fips).first()
            assert client.get(case.get_absolute_url()).status_code == 200
        client.logout()
