"""
The demo San Francisco cases' letters, as the 2010 press accounts describe
them: Sheriff Hennessey's letter of May 18, 2010 to Attorney General Brown
(the California DOJ runs the State Identification Bureau), his letter of
June 3 to ICE, and his letter of Aug. 31 to Brown and to ICE's David
Venturella and Marc Rapp. The wording is reconstructed from those accounts
(SFGate, May 18; San Francisco Bay Guardian, Aug. 31, 2010); only the
sentence the Center for Constitutional Rights quoted (Sept. 1, 2010) is the
August letter's own. Marc Rapp's answer by telephone is on the case's timeline on
its date of record ("on or before June 7"); it is not logged as
correspondence, whose date is a day. Every step goes through the services;
loading twice adds nothing.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from optouts.models import Delivery, OptOutRequest, Recipient

from . import letters
from .defaults import letter_templates_install_defaults

D = datetime.date.fromisoformat
SF = "06075"
FIRST_OPENED = D("2010-05-18")

MAY_BODY = """Dear Attorney General Brown:

I ask that the California Department of Justice not forward to U.S. Immigration and Customs Enforcement the fingerprints of the people booked into the San Francisco County jails. Under Secure Communities, that data is to start going to ICE on June 1, 2010.

{{ case.reasons }}

San Francisco already refers to ICE the foreign-born people booked for a felony or with a felony in their criminal history, some 2,000 a year. Sending every booking would raise that to 35,000 or 40,000 a year, people cited for the least offences among them, against the City and County's sanctuary ordinance. I ask that San Francisco be allowed to opt out."""

JUNE_BODY = """To the Secure Communities Program Management Office:

The State of California has signed an agreement with U.S. Immigration and Customs Enforcement for Secure Communities. I write to ask that the City and County of San Francisco be allowed to opt out of the program, and that it not be activated in our jail. I have made the same request in writing to the California Department of Justice.

{{ case.reasons }}

I ask that ICE not activate Secure Communities in San Francisco while this request is considered, and that you let me know how it will be resolved."""

AUGUST_BODY = """Dear Attorney General Brown, Assistant Director Venturella and Mr. Rapp:

San Francisco was activated in Secure Communities on June 8, 2010, in accordance with ICE's deployment plan. Before that, I asked in writing, of both the California Department of Justice and Secure Communities, that San Francisco opt out; Mr. Rapp told me by telephone that a local jurisdiction had no way to do so.

ICE's communication of August 17, "Secure Communities: Setting the Record Straight", now states that a jurisdiction that does not wish to activate on its scheduled date must notify its State Identification Bureau and ICE in writing, after which ICE will request a meeting with federal partners, the jurisdiction and the state to come to a resolution. The information provided suggests there is now a procedure in place to address such requests.

I therefore renew San Francisco's request to opt out of Secure Communities under that procedure, and look forward to meeting with all parties and coming to a resolution we can all accept.

{{ case.reasons }}"""


def _send(case, user, *, key, recipient, letter_date, body, subject, delivery, cc=""):
    letter = letters.letter_draft_create(
        case_id=case.pk, user=user, template_key=key, letter_date=letter_date, recipient=recipient
    )
    letters.letter_draft_update(
        letter_id=letter.pk,
        user=user,
        body=body,
        subject=subject,
        cc=cc,
        recipient_name=delivery.recipient_name,
    )
    return letters.letter_send(
        letter_id=letter.pk,
        user=user,
        method=delivery.method,
        sent_on=delivery.sent_on,
        delivery_id=delivery.pk,
    )


def _delivery(case, recipient) -> Delivery | None:
    return case.deliveries.filter(recipient=recipient, letter__isnull=True).order_by("id").first()


def _letters(case, user, specs) -> int:
    """Send each letter that the copy it goes with does not have yet; return how many."""
    sent = 0
    for recipient, key, subject, body, cc in specs:
        delivery = _delivery(case, recipient)
        if delivery is None:
            continue
        _send(
            case,
            user,
            key=key,
            recipient=recipient,
            letter_date=delivery.sent_on,
            subject=subject,
            body=body,
            delivery=delivery,
            cc=cc,
        )
        sent += 1
    return sent


@transaction.atomic
def demo_letters_load() -> dict:
    """Give the demo San Francisco cases their letters; return how many were added."""
    letter_templates_install_defaults()
    added = {"letters": 0, "correspondence": 0}
    first = (
        OptOutRequest.objects.filter(jurisdiction__fips=SF, opened_on=FIRST_OPENED)
        .select_related("jurisdiction")
        .first()
    )
    if first is None:
        return added
    User = get_user_model()
    staff = User.objects.filter(username="sf-staff").first() or first.created_by
    request = "Request that the City and County of San Francisco opt out of Secure Communities"
    added["letters"] += _letters(
        first,
        staff,
        [
            (Recipient.SIB, "notice-sib", request, MAY_BODY, ""),
            (Recipient.ICE, "notice-ice", request, JUNE_BODY, ""),
        ],
    )
    second = OptOutRequest.objects.filter(reopens=first).first()
    if second is not None:
        renewed = "Renewed request that San Francisco opt out of Secure Communities"
        added["letters"] += _letters(
            second,
            staff,
            [
                (Recipient.ICE, "notice-ice", renewed, AUGUST_BODY, "Edmund G. Brown Jr."),
                (
                    Recipient.SIB,
                    "notice-sib",
                    renewed,
                    AUGUST_BODY,
                    "David Venturella; Marc A. Rapp",
                ),
            ],
        )
    return added
