"""
San Francisco and Santa Clara, 2010, as the record tells them.

San Francisco: the Sheriff's letter to Attorney General Brown (the
California DOJ runs the SIB) on May 18, 2010 and to ICE on June 3; the
county was to be activated on June 1. Marc Rapp, ICE's Deputy Director for
Secure Communities, answered by telephone that the request could not be
granted, and "shortly afterward" (first seed article) ICE activated the
county on June 8 while the request stood: the request is denied on the day
of the activation, so the case shows the activation while it was pending.
The Sheriff renewed it on Aug. 31 to Brown, to David Venturella (Assistant
Director, Secure Communities) and to Rapp; a meeting was set for Oct. 13
and San Francisco asked on Sept. 28 to postpone it until after the November
election, with no new date. The renewed request is still open there.

Santa Clara, activated on May 4, 2010: County Counsel's letter to DHS of
August 2010 went unanswered by Sept. 1; the Board voted 5-0 on Sept. 28 to
notify ICE and the California DOJ; on Nov. 9 the county learned that ICE
and the state would not let it out. See scomm.demo for the copies' days.
"""

import datetime

from django.utils import timezone

from optouts import services
from optouts.models import Recipient

from . import D, activate, case_open, copy, note
from . import sources as S

NAPOLITANO = (
    "DHS Secretary Janet Napolitano, through an ICE spokeswoman: “We don't consider Secure "
    "Communities an opt in/opt out program.”"
)
NOT_ON_RECORD = "Time and place not on record"


def meeting_day(day: str) -> datetime.datetime:
    """A meeting known by its day only: set at midnight, its place saying so."""
    return timezone.make_aware(datetime.datetime.combine(D(day), datetime.time()))


def san_francisco(users):
    staff, admin = users["sf-staff"], users["admin"]
    first, new = case_open(
        "06075",
        official="Sheriff Michael Hennessey",
        body="sheriff",
        opened=D("2010-05-18"),
        user=staff,
        reasons="San Francisco's sanctuary ordinance limits the use of local resources for "
        "immigration enforcement. The Sheriff and the Board of Supervisors object to sending the "
        "fingerprints of everyone booked, including people never convicted, to ICE.",
    )
    if new:
        copy(
            first,
            staff,
            recipient=Recipient.SIB,
            name="Edmund G. Brown Jr., Attorney General of California (California DOJ)",
            sent_on=D("2010-05-18"),
            source=S.SFGATE_MAY_18,
        )
        note(
            first,
            staff,
            D("2010-05-19"),
            "Internal: ask the Board of Supervisors' clerk for the resolution text before the "
            "follow-up.",
            public=False,
        )
        copy(
            first,
            staff,
            recipient=Recipient.ICE,
            name="ICE Secure Communities Program Management Office",
            sent_on=D("2010-06-03"),
            source=S.DN_OPT_OUT,
        )
        note(
            first,
            staff,
            D("2010-06-07"),
            "Marc Rapp, Deputy Director for Secure Communities at ICE, answered by telephone: "
            "there was no way the request could be granted, no provision for a local "
            "jurisdiction to opt out. No written reply.",
            kind="reply",
            precision="on_or_before",
            source=f"{S.DN_OPT_OUT}; {S.SFBG_AUG_31}",
        )
        activate("06075", admin)
        services.optout_resolve(
            case_id=first.pk,
            user=staff,
            outcome="denied",
            occurred_on=D("2010-06-08"),
            outcome_text="Refused by telephone, without the meeting ICE's procedure describes; "
            "ICE activated Secure Communities in San Francisco on June 8, 2010, over the objection "
            "of the Sheriff and the Board of Supervisors.",
            source=f"{S.DN_OPT_OUT}; {S.SF_APPEAL}",
        )

    second = first.reopened_by if hasattr(first, "reopened_by") else None
    if second is None:
        second = services.optout_reopen(case_id=first.pk, user=staff, opened_on=D("2010-08-31"))
        services.deliveries_record(
            case_id=second.pk,
            user=staff,
            copies=[
                {
                    "recipient": Recipient.SIB,
                    "recipient_name": "Edmund G. Brown Jr., Attorney General of California",
                    "method": "letter",
                    "sent_on": D("2010-08-31"),
                },
                {
                    "recipient": Recipient.ICE,
                    "recipient_name": "David Venturella, Assistant Director, Secure "
                    "Communities, and Marc A. Rapp, ICE",
                    "method": "letter",
                    "sent_on": D("2010-08-31"),
                },
            ],
            source=f"{S.SFBG_AUG_31}; {S.CCR}",
        )
        note(
            second,
            staff,
            D("2010-09-07"),
            "Secretary Napolitano's letter to Rep. Zoe Lofgren confirms the opt-out procedure ICE "
            "described in “Setting the Record Straight”. The Sheriff's letter has had no reply.",
            source=S.DN_NAPOLITANO,
        )
        services.optout_schedule_meeting(
            case_id=second.pk,
            user=staff,
            meeting_at=meeting_day("2010-10-13"),
            location=NOT_ON_RECORD,
            note="San Francisco set up the meeting with state and federal officials.",
            occurred_on=D("2010-09-28"),
            date_precision="on_or_before",
            source=S.MERCURY_SEP_28,
        )
        services.optout_postpone_meeting(
            case_id=second.pk,
            user=staff,
            asked_by="jurisdiction",
            reason="The Sheriff's office asked ICE and the California Department of Justice to "
            "delay the talks until after the November election.",
            occurred_on=D("2010-09-28"),
            source=S.MERCURY_SEP_28,
        )
        note(second, staff, D("2010-10-06"), NAPOLITANO, source=S.WI_OCT_6)


def santa_clara(users):
    staff = users["santaclara-staff"]
    case, new = case_open(
        "06085",
        official="Board of Supervisors of the County of Santa Clara",
        body="board_of_supervisors",
        opened=D("2010-09-28"),
        user=staff,
        reasons="Santa Clara County has a long-standing policy of not entangling immigration "
        "enforcement with local policing, and was activated on May 4, 2010 without the approval "
        "of the Board or any other County official.",
    )
    if not new:
        return
    note(
        case,
        staff,
        D("2010-08-10"),
        "County Counsel wrote to the Department of Homeland Security, as the Board directed on "
        "Aug. 10, asking for clarification of the opt-out process. No response by Sept. 1.",
        kind="correspondence",
        precision="month",
        source=S.CCR,
    )
    note(
        case,
        staff,
        D("2010-09-28"),
        "David Venturella, who directs Secure Communities at ICE, wrote to County Counsel Miguel "
        "Márquez that ICE would meet with counties to discuss removing them from the program.",
        kind="correspondence",
        precision="on_or_before",
        source=S.SCC_NOV_10,
    )
    note(
        case,
        staff,
        D("2010-09-28"),
        "The Board of Supervisors voted 5-0 to seek to opt out, directing the County Executive "
        "and County Counsel to notify ICE and the California Department of Justice in writing.",
        source=S.MERCURY_SEP_28,
    )
    note(case, staff, D("2010-10-06"), NAPOLITANO, source=S.WI_OCT_6)
    unknown_day = (
        "The day the copy went is not in the record: recorded on the latest day it allows, "
        f"Nov. 9, 2010. {S.MERCURY_SEP_28}"
    )
    services.deliveries_record(
        case_id=case.pk,
        user=staff,
        copies=[
            {
                "recipient": Recipient.SIB,
                "recipient_name": "California Department of Justice",
                "method": "letter",
                "sent_on": D("2010-11-09"),
            },
            {
                "recipient": Recipient.ICE,
                "recipient_name": "David Venturella, Assistant Director, Secure Communities, ICE",
                "method": "letter",
                "sent_on": D("2010-11-09"),
            },
        ],
        source=unknown_day,
    )
    services.optout_resolve(
        case_id=case.pk,
        user=staff,
        outcome="refused",
        occurred_on=D("2010-11-09"),
        outcome_text="The County learned that federal and state officials would block its opt-out: "
        "ICE will keep operating Secure Communities in the County's jail.",
        source=S.SCC_NOV_10,
    )
