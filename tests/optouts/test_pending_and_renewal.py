"""
A jurisdiction's opt-out is pending from the first copy of its notice, on the
map and its page as on the case page; a refusal, like a denial, can be
answered with a new notice.
"""

import datetime

import pytest

from jurisdictions.models import Jurisdiction
from optouts import services
from optouts.models import Outcome, Recipient
from optouts.services import TransitionError
from optouts.status import JurisdictionStatus, jurisdiction_status, statuses_by_id
from tests.factories import JurisdictionFactory, MembershipFactory, case_with_notice_sent

pytestmark = pytest.mark.django_db

D = datetime.date.fromisoformat


def _statuses(jurisdiction):
    plain = Jurisdiction.objects.get(pk=jurisdiction.pk)
    return jurisdiction_status(plain), statuses_by_id([plain])[plain.pk]


def test_a_draft_with_one_copy_sent_is_an_opt_out_pending():
    jurisdiction = JurisdictionFactory(name="Santa Clara")
    user = MembershipFactory(jurisdiction=jurisdiction, role="staff").user
    case = services.optout_create(
        jurisdiction=jurisdiction,
        user=user,
        requesting_official="County Executive",
        requesting_body="county_executive",
        opened_on=D("2010-09-28"),
    )
    assert JurisdictionStatus.PENDING not in _statuses(jurisdiction)

    services.delivery_record(
        case_id=case.pk,
        user=user,
        recipient=Recipient.ICE,
        recipient_name="ICE",
        method="letter",
        sent_on=D("2010-09-30"),
    )
    assert _statuses(jurisdiction) == (JurisdictionStatus.PENDING, JurisdictionStatus.PENDING)


def test_a_refused_request_can_be_renewed_and_an_adjusted_one_cannot():
    refused = case_with_notice_sent(opened_on=D("2010-10-07"))
    user = refused.created_by
    services.optout_resolve(
        case_id=refused.pk,
        user=user,
        outcome=Outcome.REFUSED,
        outcome_text="ICE: participation is mandatory.",
        occurred_on=D("2010-11-09"),
    )
    renewed = services.optout_reopen(case_id=refused.pk, user=user, opened_on=D("2010-12-01"))
    assert renewed.reopens_id == refused.pk

    other = case_with_notice_sent(opened_on=D("2010-10-07"))
    services.optout_resolve(
        case_id=other.pk,
        user=other.created_by,
        outcome=Outcome.OTHER,
        outcome_text="Agreed to talk again in the spring.",
        occurred_on=D("2010-11-09"),
    )
    with pytest.raises(TransitionError):
        services.optout_reopen(case_id=other.pk, user=other.created_by, opened_on=D("2010-12-01"))
