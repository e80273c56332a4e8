import datetime

import pytest
from django.utils import timezone

from jurisdictions.models import Membership
from optouts.models import OptOutRequest, Stage
from tests.factories import JurisdictionFactory, MembershipFactory, OptOutRequestFactory

# A Monday in the demo's year, far from any federal holiday.
TODAY = datetime.date(2010, 9, 20)


def moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def make_case(
    *,
    stage=Stage.NOTICE_SENT,
    entered: datetime.date,
    jurisdiction=None,
    activation: datetime.date | None = None,
    meeting: datetime.date | None = None,
    **extra,
) -> OptOutRequest:
    """A case that entered `stage` on `entered` and has not changed since."""
    if jurisdiction is None:
        jurisdiction = JurisdictionFactory(scheduled_activation=activation)
    case = OptOutRequestFactory(jurisdiction=jurisdiction, stage=stage, **extra)
    OptOutRequest.objects.filter(pk=case.pk).update(
        stage_entered_at=moment(entered),
        updated_at=moment(entered),
        opened_on=min(entered, TODAY),
        meeting_at=moment(meeting) if meeting else None,
    )
    case.refresh_from_db()
    return case


def seed_rules():
    """The default rules, as the data migration writes them (a flushed test database lost them)."""
    from importlib import import_module

    from django.apps import apps

    import_module("reminders.migrations.0002_seed_rules").seed(apps, None)


def make_people() -> dict:
    """A jurisdiction with one staff member and one counsel, and an outsider."""
    seed_rules()
    jurisdiction = JurisdictionFactory(scheduled_activation=None)
    staff = MembershipFactory(jurisdiction=jurisdiction, role=Membership.Role.STAFF).user
    counsel = MembershipFactory(jurisdiction=jurisdiction, role=Membership.Role.COUNSEL).user
    outsider = MembershipFactory(role=Membership.Role.STAFF).user
    return {"jurisdiction": jurisdiction, "staff": staff, "counsel": counsel, "outsider": outsider}


@pytest.fixture
def people(db):
    return make_people()
