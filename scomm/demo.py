"""
Demo data: the whole 2010 directory and the real 2010 cases from the seed
articles, with their dated steps. Every step goes through the same services
the site uses. Loading twice doubles nothing.
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
from optouts.models import CaseEvent, OptOutRequest

# The published password of the demo accounts, printed by load_demo.
DEMO_PASSWORD = "scomm-demo-2010"  # nosec B105
D = datetime.date.fromisoformat

ARTICLE_1 = (
    "“Is it really possible to opt-out of Secure Communities?”, Deportation Nation, Aug. 2010"
)
ARTICLE_2 = "CCR press release, Sept. 1, 2010"
ARTICLE_3 = (
    "“Napolitano Confirms Secure Communities Opt-Out Process”, Deportation Nation, Sept. 2010"
)
ARTICLE_4 = "“Can Cities Really Opt Out of Secure Communities?”, DMI Blog, Sept. 1, 2010"


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


def _directory(admin):
    data = json.loads((FIXTURES / "history_2010.json").read_text(encoding="utf-8"))
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
        if j.history.filter(history_change_reason__startswith="2010 reporting").exists():
            continue
        jurisdiction_plan_update(
            jurisdiction_id=j.pk,
            user=admin,
            reason="2010 reporting: "
            + (
                "activation date as reported"
                if spec.get("actual_activation")
                else "on the deployment plan"
            ),
            plan_status=spec["plan_status"],
            scheduled_activation=D(spec["scheduled_activation"])
            if spec.get("scheduled_activation")
            else None,
            actual_activation=D(spec["actual_activation"])
            if spec.get("actual_activation")
            else None,
        )


def _case(fips, *, official, body, opened, reasons, user):
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
    )
    return case, True


def _deliver(case, user, sent_on, sib_name, ice_name, source, method="letter"):
    for recipient, name in (("ice", ice_name), ("sib", sib_name)):
        services.delivery_record(
            case_id=case.pk,
            user=user,
            recipient=recipient,
            recipient_name=name,
            method=method,
            sent_on=sent_on,
            source=source,
        )


def _note(
    case, user, day, summary, *, kind=CaseEvent.Kind.NOTE, source="", approximate=False, public=True
):
    services.event_record(
        case_id=case.pk,
        user=user,
        kind=kind,
        summary=summary,
        occurred_on=day,
        source=source,
        date_precision="month" if approximate else "day",
        is_public=public,
    )


def _cases(users):
    staff = users["sf-staff"]
    admin = users["admin"]
    ca_doj = "California Department of Justice (Attorney General Edmund G. Brown Jr.)"
    ice = "ICE Secure Communities Program Management Office"

    sf1, new = _case(
        "06075",
        official="Sheriff Michael Hennessey",
        body="sheriff",
        opened=D("2010-06-03"),
        user=staff,
        reasons="San Francisco's City and County of Refuge ordinance limits the use of local resources "
        "for immigration enforcement. The Sheriff and the Board of Supervisors object to sending the "
        "fingerprints of everyone booked, including people never convicted, to ICE.",
    )
    if new:
        _deliver(sf1, staff, D("2010-06-03"), ca_doj, ice, ARTICLE_1)
        _note(
            sf1,
            staff,
            D("2010-06-10"),
            "Marc Rapp, Deputy Director for Secure Communities, answered "
            "by telephone: there was no way the request could be granted.",
            kind=CaseEvent.Kind.REPLY,
            source=ARTICLE_1,
            approximate=True,
        )
        services.optout_resolve(
            case_id=sf1.pk,
            user=staff,
            outcome="denied",
            occurred_on=D("2010-06-10"),
            outcome_text="Refused by telephone, without the meeting ICE's procedure calls for. "
            "Secure Communities went into effect over the objection of the Sheriff and the Board of Supervisors.",
            source=ARTICLE_1,
            date_precision="month",
        )
        _note(
            sf1,
            staff,
            D("2010-06-04"),
            "Internal: ask the Board of Supervisors' clerk for the "
            "resolution text before the follow-up.",
            public=False,
        )

    sf2 = OptOutRequest.objects.filter(reopens=sf1).first()
    if sf2 is None:
        sf2 = services.optout_reopen(case_id=sf1.pk, user=staff, opened_on=D("2010-08-30"))
        _deliver(
            sf2,
            staff,
            D("2010-08-30"),
            "Edmund G. Brown Jr., Attorney General of California",
            "U.S. Department of Homeland Security",
            ARTICLE_2,
        )
        _note(
            sf2,
            staff,
            D("2010-09-07"),
            "Secretary Napolitano's letter to Rep. Zoe Lofgren confirms "
            "the opt-out procedure ICE described in “Setting the Record Straight”.",
            source=ARTICLE_3,
        )
        _note(
            sf2,
            staff,
            D("2010-09-15"),
            "ICE spokesman Richard Rocha told the Washington Independent "
            "ICE will discuss the request and seek a resolution that may change the jurisdiction's "
            "activation status. No written reply.",
            source=ARTICLE_1,
            approximate=True,
        )

    sc, new = _case(
        "06085",
        official="Office of the County Counsel",
        body="county_counsel",
        opened=D("2010-08-10"),
        user=users["santaclara-staff"],
        reasons="Santa Clara County has a long-standing policy of not entangling immigration enforcement "
        "with local policing.",
    )
    if new:
        _note(
            sc,
            users["santaclara-staff"],
            D("2010-08-10"),
            "County Counsel wrote to the Department of "
            "Homeland Security asking for clarification of the opt-out process. No response.",
            kind=CaseEvent.Kind.CORRESPONDENCE,
            source=ARTICLE_2,
            approximate=True,
        )

    arl, new = _case(
        "51013",
        official="Arlington County Board",
        body="board_of_supervisors",
        opened=D("2010-09-28"),
        user=users["arlington-staff"],
        reasons="The County Board voted to opt out of Secure Communities.",
    )

    onc, new = _case(
        "37135",
        official="Orange County Board of Commissioners",
        body="council",
        opened=D("2009-01-12"),
        user=admin,
        reasons="The Human Rights Commission was asked to investigate Secure Communities; the county "
        "passed a resolution asking not to participate.",
    )
    if new:
        _deliver(
            onc,
            admin,
            D("2009-01-12"),
            "North Carolina State Bureau of Investigation",
            ice,
            ARTICLE_1,
        )
        services.optout_resolve(
            case_id=onc.pk,
            user=admin,
            outcome="denied",
            occurred_on=D("2009-01-30"),
            outcome_text="ICE said point blank that the only way for Orange County to opt out was to stop "
            "fingerprinting people.",
            source=ARTICLE_1,
            date_precision="month",
        )

    dc, new = _case(
        "11001",
        official="Council of the District of Columbia",
        body="council",
        opened=D("2010-05-04"),
        user=admin,
        reasons="D.C. has a long-standing separation between its police and immigration enforcement. "
        "The Council unanimously sponsored a bill opposing participation.",
    )
    if new:
        _deliver(
            dc,
            admin,
            D("2010-07-01"),
            "Metropolitan Police Department, Records Division",
            ice,
            ARTICLE_4,
        )
        services.optout_resolve(
            case_id=dc.pk,
            user=admin,
            outcome="removed",
            occurred_on=D("2010-07-20"),
            outcome_text="The District withdrew from its own agreement with ICE, the first jurisdiction "
            "in the country to do so.",
            source=ARTICLE_4,
            date_precision="month",
        )


def demo_load() -> dict:
    """Load the directory and the 2010 cases; return what was created."""
    created = directory_load_census()
    with transaction.atomic():
        users = _users()
        _directory(users["admin"])
        before = OptOutRequest.objects.count()
        _cases(users)
        created["cases"] = OptOutRequest.objects.count() - before
    created["users"] = sorted(users)
    from correspondence.demo import demo_letters_load

    created.update(demo_letters_load())
    return created
