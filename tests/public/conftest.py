import datetime

import pytest
from django.utils import timezone

from optouts import services as optouts
from tests.factories import (
    IceOfficeFactory,
    JurisdictionFactory,
    SibFactory,
    StateFactory,
    UserFactory,
)

MARKER = "ZQX-PRIVATE-7731"


@pytest.fixture
def public_case(db):
    """A case whose notice went to both the SIB and ICE, a meeting requested, and an internal note."""
    state = StateFactory(postal_code="XQ", name="Quebecia", fips="77")
    SibFactory(state=state)
    IceOfficeFactory()
    jurisdiction = JurisdictionFactory(state=state, name="Marker County", fips="77001")
    user = UserFactory()
    today = timezone.localdate()
    case = optouts.optout_create(
        jurisdiction=jurisdiction,
        user=user,
        requesting_official="Sheriff Hennessey",
        requesting_body="sheriff",
        reasons="Trust between police and the community.",
        opened_on=today - datetime.timedelta(days=20),
    )
    for recipient in ("sib", "ice"):
        optouts.delivery_record(
            case_id=case.pk,
            user=user,
            recipient=recipient,
            recipient_name=f"The {recipient}",
            method="letter",
            sent_on=today - datetime.timedelta(days=15),
        )
    optouts.optout_request_meeting(case_id=case.pk, user=user, occurred_on=today)
    optouts.event_record(
        case_id=case.pk, user=user, kind="note", summary=f"Internal {MARKER}", is_public=False
    )
    case.refresh_from_db()
    return case


@pytest.fixture
def draft_case(db):
    """A case still in draft: its reasons are the jurisdiction's unfinished work."""
    jurisdiction = JurisdictionFactory()
    return optouts.optout_create(
        jurisdiction=jurisdiction,
        user=UserFactory(),
        requesting_official="Sheriff Draft",
        requesting_body="sheriff",
        reasons=f"Draft reasons {MARKER}-DRAFT",
    )
