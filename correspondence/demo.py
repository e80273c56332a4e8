"""
The demo San Francisco case's letters, as the 2010 press accounts describe
them: Sheriff Hennessey's letter of June 3, 2010 to ICE, and his letter of
the end of August to the Department of Homeland Security with its copy to
the California Attorney General. The wording is reconstructed from those
accounts. Every step goes through the services; loading twice adds nothing.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from optouts.models import Delivery, OptOutRequest, Recipient

from . import letters, log
from .defaults import letter_templates_install_defaults
from .models import Correspondence

D = datetime.date.fromisoformat
SF = "06075"

JUNE_BODY = """Dear {{ ice.contact_person }}:

The State of California has signed an agreement with U.S. Immigration and Customs Enforcement for Secure Communities. I write to ask that the City and County of San Francisco be allowed to opt out of the program, and that it not be activated in our jail.

{{ case.reasons }}

I ask that ICE not activate Secure Communities in San Francisco while this request is considered, and that you let me know how it will be resolved."""

AUGUST_BODY = """Dear Secretary:

On June 3, 2010, I asked U.S. Immigration and Customs Enforcement in writing that the City and County of San Francisco opt out of Secure Communities. The answer came by telephone: the request could not be granted. Secure Communities was activated in San Francisco on {{ jurisdiction.actual_activation }}, over the objection of the Sheriff and the Board of Supervisors.

ICE's document "Setting the Record Straight" now states that a jurisdiction that does not wish to take part must notify its State Identification Bureau and ICE in writing, after which ICE will request a meeting to come to a resolution. The information provided suggests there is now a procedure in place to address such requests.

I therefore renew San Francisco's request to opt out of Secure Communities under that procedure, and ask for the meeting it describes.

{{ case.reasons }}"""

AG_BODY = """Dear Attorney General Brown:

Please find enclosed a copy of my letter of today to the Department of Homeland Security, renewing San Francisco's request to opt out of Secure Communities under the procedure ICE has now described.

The California Department of Justice forwards the fingerprints of everyone booked in our jail. I ask you to clarify whether San Francisco can stop sending the arrest data of persons booked for misdemeanors to ICE, and for your office's part in the meeting ICE's procedure provides."""


def _send(
    case,
    user,
    *,
    key,
    recipient,
    letter_date,
    body,
    subject,
    delivery,
    cc="",
    recipient_name=None,
    recipient_address=None,
):
    letter = letters.letter_draft_create(
        case_id=case.pk, user=user, template_key=key, letter_date=letter_date, recipient=recipient
    )
    letters.letter_draft_update(
        letter_id=letter.pk,
        user=user,
        body=body,
        subject=subject,
        cc=cc,
        recipient_name=recipient_name or delivery.recipient_name,
        **({"recipient_address": recipient_address} if recipient_address is not None else {}),
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


@transaction.atomic
def demo_letters_load() -> dict:
    """Give the demo San Francisco cases their letters; return how many were added."""
    letter_templates_install_defaults()
    added = {"letters": 0, "correspondence": 0}
    first = (
        OptOutRequest.objects.filter(jurisdiction__fips=SF, opened_on=D("2010-06-03"))
        .select_related("jurisdiction")
        .first()
    )
    if first is None:
        return added
    User = get_user_model()
    staff = User.objects.filter(username="sf-staff").first() or first.created_by

    delivery = _delivery(first, Recipient.ICE)
    if delivery:
        _send(
            first,
            staff,
            key="notice-ice",
            recipient=Recipient.ICE,
            letter_date=D("2010-06-03"),
            subject="Request that the City and County of San Francisco opt out of Secure Communities",
            body=JUNE_BODY,
            delivery=delivery,
            recipient_name="ICE Secure Communities Program Management Office",
        )
        added["letters"] += 1
    if not Correspondence.objects.filter(request=first).exists():
        log.correspondence_record(
            case_id=first.pk,
            user=staff,
            direction=Correspondence.Direction.INCOMING,
            method=Correspondence.Method.PHONE,
            occurred_on=D("2010-06-10"),
            sender="Marc Rapp, Deputy Director for Secure Communities, ICE",
            recipient="Sheriff Michael Hennessey",
            summary="Telephone answer to the letter of June 3: there was no way the request "
            "could be granted. No written reply.",
            is_public=True,
            on_timeline=False,  # the timeline already has this reply
        )
        added["correspondence"] += 1

    second = OptOutRequest.objects.filter(reopens=first).first()
    if second is not None:
        dhs = _delivery(second, Recipient.ICE)
        ag = _delivery(second, Recipient.SIB)
        if dhs:
            _send(
                second,
                staff,
                key="notice-ice",
                recipient=Recipient.ICE,
                letter_date=dhs.sent_on,
                subject="Renewed request that San Francisco opt out of Secure Communities",
                body=AUGUST_BODY,
                delivery=dhs,
                recipient_address="Secretary Janet Napolitano\nWashington, DC 20528",
                cc="Edmund G. Brown Jr., Attorney General of California",
            )
            added["letters"] += 1
        if ag:
            _send(
                second,
                staff,
                key="copy-attorney-general",
                recipient=Recipient.SIB,
                letter_date=ag.sent_on,
                subject="Copy: San Francisco's renewed request to opt out of Secure Communities",
                body=AG_BODY,
                delivery=ag,
                recipient_address="California Department of Justice\nSacramento, California",
            )
            added["letters"] += 1
    return added
