"""
The fault tests' data, written into the private stack's database by
`manage.py shell` (tests/scomm/stack.py), and printed as one line of JSON:

- a county with a staff member who signs in and moves its public case back
  and forth (request a meeting, cancel it), each move a public event that
  the case's two followers are emailed about;
- another county whose staff member is reminded of its drafts: the drafts
  are made stale (tests/scomm/stack.py `make_drafts_stale`) at the moment
  a test wants their reminders to fall due.
"""

import json

from django.contrib.auth import get_user_model
from django.utils import timezone

from jurisdictions.models import Membership
from optouts import services as case_services
from optouts.models import OptOutRequest, Stage
from public.models import Follow
from reminders.models import ReminderPreference
from tests.factories import JurisdictionFactory, MembershipFactory, case_with_notice_sent

PASSWORD = "fault-test-password-7Q"  # nosec B105: a throwaway account of a throwaway database
FOLLOWERS = ["follower-1@example.org", "follower-2@example.org"]
DRAFTS = 12


def seed() -> dict:
    User = get_user_model()
    moving = JurisdictionFactory(name="Moving County", scheduled_activation=None)
    mover = MembershipFactory(jurisdiction=moving, role=Membership.Role.STAFF).user
    mover.username, mover.email = "mover", "mover@example.org"
    mover.set_password(PASSWORD)
    mover.save()
    # They follow the county before its case is filed: told of every public event of it.
    now = timezone.now()
    for email in FOLLOWERS:
        Follow.objects.create(email=email, jurisdiction=moving, confirmed_at=now)
    case = case_with_notice_sent(jurisdiction=moving, user=mover)

    reminded = JurisdictionFactory(name="Reminded County", scheduled_activation=None)
    staff = MembershipFactory(jurisdiction=reminded, role=Membership.Role.STAFF).user
    staff.email = "reminded@example.org"
    staff.save()
    ReminderPreference.objects.update_or_create(user=staff, defaults={"delivery": "immediate"})
    drafts = [
        case_services.optout_create(
            jurisdiction=reminded,
            user=staff,
            requesting_official=f"Sheriff Number {i}",
            requesting_body="sheriff",
        ).pk
        for i in range(DRAFTS)
    ]
    assert OptOutRequest.objects.filter(pk__in=drafts, stage=Stage.DRAFT).count() == DRAFTS
    return {
        "case": case.pk,
        "mover": mover.username,
        "mover_id": mover.pk,
        "password": PASSWORD,
        "followers": FOLLOWERS,
        "reminded": staff.email,
        "drafts": drafts,
        "users": User.objects.count(),
    }


def main() -> None:
    print("SEED " + json.dumps(seed()))
