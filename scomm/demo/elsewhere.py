"""
Arlington, Orange County NC and the District of Columbia, as the record
tells them.

Arlington, covered with the rest of Virginia since June 21, 2010: the
Board's resolution of Sept. 28 to withdraw, the County Manager's letter to
ICE of Oct. 7, the meeting of Nov. 5 at which ICE said "with finality" that
an activated locality cannot withhold its fingerprints, and the county
giving up.

Orange County NC, activated in January 2009: the commissioners objected at
their meeting of Jan. 22, 2009, and ICE told the county that the only way
out was to stop fingerprinting; no written notice is on record, so the case
never sent one (see scomm.demo).

The District: an agreement of its own, signed by Chief Lanier in November
2009 (jurisdictions' state agreement records); the Council's bill of May 4,
2010; the District's withdrawal by July 2010, the first in the country;
ICE's activation of the District on June 5, 2012 all the same.
"""

from optouts import services
from optouts.models import Recipient

from . import D, activate, case_open, copy, note, schedule
from . import sources as S
from .california import NAPOLITANO, NOT_ON_RECORD, meeting_day


def arlington(users):
    staff = users["arlington-staff"]
    case, new = case_open(
        "51013",
        official="Arlington County Board",
        body="board_of_supervisors",
        opened=D("2010-09-28"),
        user=staff,
        reasons="It is not the role of Arlington County law enforcement to enforce federal "
        "immigration laws; the County Board resolved unanimously to withdraw from Secure "
        "Communities.",
    )
    if not new:
        return
    note(case, staff, D("2010-10-06"), NAPOLITANO, source=S.WI_OCT_6)
    copy(
        case,
        staff,
        recipient=Recipient.ICE,
        name="Director, U.S. Immigration and Customs Enforcement",
        sent_on=D("2010-10-07"),
        source=f"County Manager's letter to ICE of Oct. 7, 2010, named in {S.ARLINGTON_NOV_5}",
    )
    copy(
        case,
        staff,
        recipient=Recipient.SIB,
        name="Virginia State Police",
        sent_on=D("2010-10-07"),
        source="Not in the public record: the resolution directed the County Manager to notify "
        "the State Police; recorded with the letter to ICE. Washington Examiner, Sept. 28, 2010",
    )
    services.optout_schedule_meeting(
        case_id=case.pk,
        user=staff,
        meeting_at=meeting_day("2010-11-05"),
        location=NOT_ON_RECORD,
        occurred_on=D("2010-11-02"),
        date_precision="on_or_before",
        source=S.ARLNOW_NOV_2,
    )
    services.optout_hold_meeting(
        case_id=case.pk,
        user=staff,
        occurred_on=D("2010-11-05"),
        note="The County Manager, the Police Chief and the Sheriff met ICE. ICE stated clearly, "
        "and with finality, that activated localities cannot withhold information from the "
        "program; they can only choose not to learn the results of the immigration queries.",
        source=S.ARLINGTON_NOV_5,
    )
    services.optout_resolve(
        case_id=case.pk,
        user=staff,
        outcome="gave_up",
        occurred_on=D("2010-11-05"),
        outcome_text="The County Manager rejected both options ICE offered (not receiving the "
        "results; not submitting fingerprints, which Virginia law requires), and the county "
        "dropped its effort to opt out.",
        source=f"{S.ARLINGTON_NOV_5}; {S.WI_ARLINGTON}",
    )


def orange_county(users):
    admin = users["admin"]
    case, new = case_open(
        "37135",
        official="Orange County Board of Commissioners",
        body="board_of_supervisors",
        opened=D("2009-01-22"),
        user=admin,
        reasons="The commissioners objected to the county's part in Secure Communities when the "
        "new fingerprint identification system started in the jail in January 2009. No written "
        "notice to ICE or the State Bureau of Investigation is on record.",
    )
    if not new:
        return
    note(
        case,
        admin,
        D("2009-01-22"),
        "At the Board's regular meeting the Sheriff said the new automatic fingerprint "
        "identification system had started in January; the commissioners objected to the "
        "program.",
        source=S.ORANGE_MINUTES,
    )
    note(
        case,
        admin,
        D("2009-01-22"),
        "When the county tried to opt out, ICE told it point blank that the only way to opt out "
        "was to stop fingerprinting people.",
        kind="reply",
        precision="month",
        source=S.DN_OPT_OUT,
    )


def district_of_columbia(users):
    admin = users["admin"]
    case, new = case_open(
        "11001",
        official="Council of the District of Columbia",
        body="council",
        opened=D("2010-05-04"),
        user=admin,
        reasons="D.C. has a long-standing separation between what its police do and what "
        "immigration agents do. The Council unanimously sponsored a bill opposing participation.",
    )
    if not new:
        return
    unknown_day = (
        "The District withdrew by July 2010; the day is not in the record: recorded on the latest "
        f"day it allows, July 31, 2010. {S.DMI}"
    )
    services.deliveries_record(
        case_id=case.pk,
        user=admin,
        copies=[
            {
                "recipient": Recipient.SIB,
                "recipient_name": "Metropolitan Police Department (party to the agreement)",
                "method": "letter",
                "sent_on": D("2010-07-31"),
            },
            {
                "recipient": Recipient.ICE,
                "recipient_name": "U.S. Immigration and Customs Enforcement",
                "method": "letter",
                "sent_on": D("2010-07-31"),
            },
        ],
        source=unknown_day,
    )
    services.optout_resolve(
        case_id=case.pk,
        user=admin,
        outcome="other",
        occurred_on=D("2010-07-31"),
        date_precision="on_or_before",
        outcome_text="The District withdrew from its own agreement with ICE, the first in the "
        "country to do so formally, and was not activated while it stood out. ICE activated it "
        "all the same on June 5, 2012.",
        source=f"{S.DMI}; {S.CCR_MAY_4}",
    )
    schedule("11001", admin)
    activate("11001", admin)
