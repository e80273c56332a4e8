"""
Demo data: the whole 2010 directory and the five cases of the public record
(San Francisco, Santa Clara, Arlington, Orange County NC, the District of
Columbia), each step on its date of record, with its precision and its
source (scomm.demo.sources), through the same services the site uses.
Loading twice doubles nothing: a case already loaded is left as it is.

Where the record gives no day, none is invented: the step takes the
precision the record allows (a month, "on or before"). Three things the
services need a day for are not in the record, and the demo says so where
it records them:

- A copy of the notice has a day, not a precision. Santa Clara's Board
  voted on Sept. 28, 2010 to notify ICE and the California DOJ, and the
  District withdrew from its agreement "by July" 2010; the days the letters
  went are not in the record, so each copy is recorded on the latest day
  the record allows, and its source says that the day is not known.
  Arlington's resolution directed the County Manager to notify ICE and the
  Virginia State Police; the letter to ICE is dated Oct. 7, 2010 and the
  copy to the State Police is recorded with it, marked as not in the record.
- A meeting has a time of day; the record gives the day only. The meeting is
  set at midnight and its place says the time is not on record.
- Orange County's commissioners objected in January 2009, and ICE told the
  county that the only way out was to stop fingerprinting; no written
  notice to ICE or the SBI is on record. Its case is therefore a request
  that never sent a notice: a draft with the objection and ICE's answer on
  its timeline, seen by admins, not by the public (a draft never is). The
  public sees Orange County's activation, in January 2009, on its page.
"""

import datetime
import json

from django.contrib.auth import get_user_model
from django.db import transaction

from jurisdictions.models import (
    IceOffice,
    Jurisdiction,
    Membership,
    State,
    StateIdentificationBureau,
)
from jurisdictions.services import FIXTURES, directory_load_census, jurisdiction_plan_update
from optouts import services
from optouts.models import OptOutRequest

# The published password of the demo accounts, printed by load_demo.
DEMO_PASSWORD = "scomm-demo-2010"  # nosec B105
D = datetime.date.fromisoformat
MARK = "Public record"


def history() -> dict:
    """The directory's 2010 facts (fixtures/history_2010.json)."""
    return json.loads((FIXTURES / "history_2010.json").read_text(encoding="utf-8"))


def _users():
    User = get_user_model()
    specs = [
        ("admin", "Demo", "Administrator", True, None, None),
        ("sf-staff", "Sam", "Ortega", False, "06075", Membership.Role.STAFF),
        ("sf-counsel", "Dana", "Whitfield", False, "06075", Membership.Role.COUNSEL),
        ("santaclara-staff", "Lena", "Morales", False, "06085", Membership.Role.STAFF),
        ("arlington-staff", "Chris", "Patel", False, "51013", Membership.Role.STAFF),
    ]
    users = {}
    for username, first, last, is_admin, fips, role in specs:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.org",
                "is_staff": is_admin,
                "is_superuser": is_admin,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if fips:
            Membership.objects.get_or_create(
                user=user, jurisdiction=Jurisdiction.objects.get(fips=fips), role=role
            )
        users[username] = user
    return users


def activate(fips: str, admin) -> Jurisdiction:
    """
    The jurisdiction's activation as the record gives it, through the plan's
    service: its open cases get their dated "Jurisdiction activated" event.
    """
    spec = next(j for j in history()["jurisdictions"] if j["fips"] == fips)
    jurisdiction = Jurisdiction.objects.get(fips=fips)
    return jurisdiction_plan_update(
        jurisdiction_id=jurisdiction.pk,
        user=admin,
        reason=spec["activation_reason"],
        plan_status=Jurisdiction.PlanStatus.ACTIVATED,
        actual_activation=D(spec["actual_activation"]),
        actual_activation_precision=spec["actual_precision"],
    )


def schedule(fips: str, admin) -> Jurisdiction:
    """The scheduled activation date as the record gives it."""
    spec = next(j for j in history()["jurisdictions"] if j["fips"] == fips)
    jurisdiction = Jurisdiction.objects.get(fips=fips)
    return jurisdiction_plan_update(
        jurisdiction_id=jurisdiction.pk,
        user=admin,
        reason=spec["schedule_reason"],
        plan_status=Jurisdiction.PlanStatus.SCHEDULED,
        scheduled_activation=D(spec["scheduled_activation"]),
    )


def _directory(admin):
    data = history()
    for spec in data["states"]:
        state = State.objects.get(postal_code=spec["postal_code"])
        state.agreement_notes = spec.get("agreement_notes", "")
        state.save(update_fields=["agreement_notes"])
        StateIdentificationBureau.objects.get_or_create(state=state, defaults=spec["sib"])
    for spec in data["ice_offices"]:
        IceOffice.objects.get_or_create(name=spec["name"], defaults=spec)
    for spec in data["jurisdictions"]:
        j = Jurisdiction.objects.get(fips=spec["fips"])
        for field in ("letterhead", "signatory_name", "signatory_title"):
            setattr(j, field, spec[field])
        j.save(update_fields=["letterhead", "signatory_name", "signatory_title"])
        if j.history.filter(history_change_reason__startswith=MARK).exists():
            continue
        # A date that came while a case stood is set with that case (.california, .elsewhere).
        if spec.get("scheduled_activation") and not spec.get("scheduled_during_case"):
            schedule(spec["fips"], admin)
        if spec.get("actual_activation") and not spec.get("activated_during_case"):
            activate(spec["fips"], admin)


def case_open(fips, *, official, body, opened, reasons, user, precision="day"):
    """The case as first drafted, or the one already loaded (and False)."""
    jurisdiction = Jurisdiction.objects.get(fips=fips)
    existing = OptOutRequest.objects.filter(
        jurisdiction=jurisdiction, opened_on=opened, requesting_official=official
    ).first()
    if existing:
        return existing, False
    case = services.optout_create(
        jurisdiction=jurisdiction,
        user=user,
        requesting_official=official,
        requesting_body=body,
        reasons=reasons,
        opened_on=opened,
        opened_precision=precision,
    )
    return case, True


def copy(case, user, *, recipient, name, sent_on, source, method="letter", reference=""):
    """One copy of the notice, as sent."""
    return services.delivery_record(
        case_id=case.pk,
        user=user,
        recipient=recipient,
        recipient_name=name,
        method=method,
        sent_on=sent_on,
        reference=reference,
        source=source,
    )


def note(case, user, day, summary, *, kind="note", source="", precision="day", public=True):
    """A dated fact on the timeline that moves no stage: a reply, a vote, a statement."""
    return services.event_record(
        case_id=case.pk,
        user=user,
        kind=kind,
        summary=summary,
        occurred_on=day,
        source=source,
        date_precision=precision,
        is_public=public,
    )


def demo_load() -> dict:
    """Load the directory and the cases of the public record; return what was created."""
    from . import california, elsewhere

    created = directory_load_census()
    with transaction.atomic():
        users = _users()
        _directory(users["admin"])
        before = OptOutRequest.objects.count()
        california.san_francisco(users)
        california.santa_clara(users)
        elsewhere.arlington(users)
        elsewhere.orange_county(users)
        elsewhere.district_of_columbia(users)
        created["cases"] = OptOutRequest.objects.count() - before
    created["users"] = sorted(users)
    from correspondence.demo import demo_letters_load

    created.update(demo_letters_load())
    return created
