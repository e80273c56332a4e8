"""
The letter templates a new installation starts with: the opt-out notice to
the SIB and to ICE, its copies to the Attorney General and the Governor, the
follow-up when no answer came, and counsel's request for clarification.
An admin edits them afterwards; installing the defaults never overwrites an
edit. Migrations 0002 and 0004 keep their own frozen copies of these texts.
"""

from django.utils import timezone

from jurisdictions.models import OfficeKind
from optouts.models import Recipient, Stage

from .models import LetterTemplate

DEFAULT_TEMPLATES = [
    {
        "key": "notice-sib",
        "name": "Opt-out notice to the State Identification Bureau",
        "recipient": Recipient.SIB,
        "office": "",
        "subject": "Notice that {{ jurisdiction.name }} does not wish to take part in Secure Communities",
        "cc": "{{ ice.name }}",
        "body": """{{ sib.salutation }}

I write on behalf of {{ jurisdiction.name }}, {{ jurisdiction.state }}, to notify the {{ sib.name }} formally and in writing, as the procedure described by U.S. Immigration and Customs Enforcement requires, that {{ jurisdiction.name }} does not wish to take part in Secure Communities. {{ activation.status }}

{{ case.reasons }}

We ask that the Bureau not forward the fingerprints of persons booked in {{ jurisdiction.name }} for checking against immigration databases, and that it join the meeting ICE is to request with federal partners, the jurisdiction and the state to come to a resolution, including {{ activation.resolution }}.

A copy of this notice is sent to ICE. Please acknowledge receipt.""",
    },
    {
        "key": "notice-ice",
        "name": "Opt-out notice to ICE",
        "recipient": Recipient.ICE,
        "office": "",
        "subject": "Request that {{ jurisdiction.name }} opt out of Secure Communities",
        "cc": "{{ sib.name }}",
        "body": """{{ ice.salutation }}

I write on behalf of {{ jurisdiction.name }}, {{ jurisdiction.state }}, to notify U.S. Immigration and Customs Enforcement formally and in writing that {{ jurisdiction.name }} does not wish to take part in Secure Communities. {{ activation.status }}

{{ case.reasons }}

ICE has stated that, upon receipt of such a notice, it will request a meeting with federal partners, the jurisdiction and the state to discuss any issues and come to a resolution, which may include adjusting the jurisdiction's activation date or removing it from the deployment plan. We ask for that meeting. {{ activation.request }}

A copy of this notice is sent to the {{ sib.name }}. Please acknowledge receipt.""",
    },
    {
        "key": "copy-attorney-general",
        "name": "Copy of the notice to the state Attorney General",
        "recipient": Recipient.ATTORNEY_GENERAL,
        "office": "",
        "subject": "Copy: {{ jurisdiction.name }}'s request to opt out of Secure Communities",
        "cc": "",
        "body": """Dear Attorney General:

Please find enclosed a copy of the notice {{ jurisdiction.name }} {{ case.notice_sent }} to the {{ sib.name }} and to U.S. Immigration and Customs Enforcement, asking not to take part in Secure Communities. {{ activation.status }}

{{ case.reasons }}

We ask for your office's support in the meeting ICE has said it will request with the jurisdiction and the state, and for your view of whether the state's agreement with ICE obliges {{ jurisdiction.name }} to take part.""",
    },
    {
        "key": "copy-governor",
        "name": "Copy of the notice to the Governor",
        "recipient": Recipient.GOVERNOR,
        "office": "",
        "subject": "Copy: {{ jurisdiction.name }}'s request to opt out of Secure Communities",
        "cc": "",
        "body": """Dear Governor:

Please find enclosed a copy of the notice {{ jurisdiction.name }} {{ case.notice_sent }} to the {{ sib.name }} and to U.S. Immigration and Customs Enforcement, asking not to take part in Secure Communities. {{ activation.status }}

{{ case.reasons }}

We ask for the state's support in coming to a resolution that respects {{ jurisdiction.name }}'s decision.""",
    },
    {
        "key": "follow-up",
        "name": "Follow-up when no answer came",
        "recipient": Recipient.ICE,
        "office": "",
        "subject": "Follow-up: {{ jurisdiction.name }}'s opt-out request of {{ case.first_notice_on }}",
        "cc": "{{ sib.name }}",
        "body": """{{ ice.salutation }}

On {{ case.first_notice_on }}, {{ jurisdiction.name }} notified ICE and the {{ sib.name }} in writing that it does not wish to take part in Secure Communities. {{ case.days_waiting }} days later, we have received no written reply and no request for the meeting ICE's procedure provides.

We ask again that ICE request that meeting. {{ activation.status }} {{ activation.request }}""",
    },
    {
        "key": "clarification",
        "name": "Counsel's request for clarification",
        "recipient": Recipient.ICE,
        "office": OfficeKind.COUNSEL,
        "subject": "Request for clarification of the Secure Communities opt-out process",
        "cc": "",
        "body": """{{ ice.salutation }}

This office represents {{ jurisdiction.name }}, {{ jurisdiction.state }}. There appears to be significant confusion about how a local jurisdiction may decline to take part in Secure Communities. {{ activation.status }}

We ask that you state in writing: how a jurisdiction that does not wish to take part should notify ICE and the state; what happens on receipt of that notice; who takes part in the meeting ICE has described; and what outcomes are available, including {{ activation.resolution }}.

We would be grateful for an answer by {{ letter.deadline }}.""",
    },
]

# The order letters usually go out in; a template an admin added comes after.
USUAL_ORDER = [spec["key"] for spec in DEFAULT_TEMPLATES]
FOLLOW_UP_AFTER_DAYS = 14


def templates_in_order(*, case, templates, letters, today=None) -> list:
    """
    The templates with the next letter the case needs first, so that the
    one offered by default is the right one: the notices to the SIB and to
    ICE while either copy is not out (one not drafted yet before one already
    drafted), then, once both are out, the follow-up after two weeks without
    an answer, else the copy to the Attorney General. Reads the case's
    deliveries (prefetched by the case page) and the letters already listed.
    """
    today = today or timezone.localdate()
    delivered = {
        d.recipient: d.sent_on
        for d in case.deliveries.all()
        if getattr(d, "status", "sent") != "failed"
    }
    needed = [
        key
        for key, recipient in (("notice-sib", Recipient.SIB), ("notice-ice", Recipient.ICE))
        if recipient not in delivered
    ]
    if not needed:
        first = min(delivered.values())
        if case.stage == Stage.NOTICE_SENT and (today - first).days >= FOLLOW_UP_AFTER_DAYS:
            needed.append("follow-up")
        if Recipient.ATTORNEY_GENERAL not in delivered:
            needed.append("copy-attorney-general")
    drafted = {letter.template_id for letter in letters if not letter.is_sent}

    def rank(template):
        if template.key in needed:
            return (template.pk in drafted, 0, needed.index(template.key), "")
        usual = USUAL_ORDER.index(template.key) if template.key in USUAL_ORDER else len(USUAL_ORDER)
        return (True, 1, usual, template.name)

    return sorted(templates, key=rank)


def letter_templates_install_defaults() -> int:
    """Create the default letter templates that do not exist yet; never overwrite an admin's edits."""
    created = 0
    for spec in DEFAULT_TEMPLATES:
        _, was_created = LetterTemplate.objects.get_or_create(
            key=spec["key"], defaults={k: v for k, v in spec.items() if k != "key"}
        )
        created += was_created
    return created
