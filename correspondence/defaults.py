"""
The letter templates a new installation starts with: the opt-out notice to
the SIB and to ICE, its copies to the Attorney General and the Governor, the
follow-up when no answer came, and counsel's request for clarification.
An admin edits them afterwards; installing the defaults never overwrites an
edit. Migration 0002 keeps its own frozen copy of these texts.
"""

from optouts.models import Recipient

from .models import LetterTemplate

DEFAULT_TEMPLATES = [
    {
        "key": "notice-sib",
        "name": "Opt-out notice to the State Identification Bureau",
        "recipient": Recipient.SIB,
        "subject": "Notice that {{ jurisdiction.name }} does not wish to activate Secure Communities",
        "cc": "{{ ice.name }}",
        "body": """Dear {{ sib.contact_person }}:

I write on behalf of {{ jurisdiction.name }}, {{ jurisdiction.state }}, to notify the {{ sib.name }} formally and in writing that {{ jurisdiction.name }} does not wish to activate Secure Communities on its scheduled date ({{ jurisdiction.scheduled_activation }}), as the procedure described by U.S. Immigration and Customs Enforcement requires.

{{ case.reasons }}

We ask that the Bureau not forward the fingerprints of persons booked in {{ jurisdiction.name }} for checking against immigration databases, and that it join the meeting ICE is to request with federal partners, the jurisdiction and the state to come to a resolution, including removing {{ jurisdiction.name }} from the deployment plan.

A copy of this notice is sent to ICE. Please acknowledge receipt.""",
    },
    {
        "key": "notice-ice",
        "name": "Opt-out notice to ICE",
        "recipient": Recipient.ICE,
        "subject": "Request that {{ jurisdiction.name }} opt out of Secure Communities",
        "cc": "{{ sib.name }}",
        "body": """Dear {{ ice.contact_person }}:

I write on behalf of {{ jurisdiction.name }}, {{ jurisdiction.state }}, to notify U.S. Immigration and Customs Enforcement formally and in writing that {{ jurisdiction.name }} does not wish to activate Secure Communities on its scheduled date ({{ jurisdiction.scheduled_activation }}).

{{ case.reasons }}

ICE has stated that, upon receipt of such a notice, it will request a meeting with federal partners, the jurisdiction and the state to discuss any issues and come to a resolution, which may include adjusting the jurisdiction's activation date or removing it from the deployment plan. We ask for that meeting, and that {{ jurisdiction.name }} not be activated while this request is pending.

A copy of this notice is sent to the {{ sib.name }}. Please acknowledge receipt.""",
    },
    {
        "key": "copy-attorney-general",
        "name": "Copy of the notice to the state Attorney General",
        "recipient": Recipient.ATTORNEY_GENERAL,
        "subject": "Copy: {{ jurisdiction.name }}'s request to opt out of Secure Communities",
        "cc": "",
        "body": """Dear Attorney General:

Please find enclosed a copy of the notice {{ jurisdiction.name }} sent on {{ case.first_notice_on }} to the {{ sib.name }} and to U.S. Immigration and Customs Enforcement, asking not to activate Secure Communities.

{{ case.reasons }}

We ask for your office's support in the meeting ICE has said it will request with the jurisdiction and the state, and for your view of whether the state's agreement with ICE obliges {{ jurisdiction.name }} to take part.""",
    },
    {
        "key": "copy-governor",
        "name": "Copy of the notice to the Governor",
        "recipient": Recipient.GOVERNOR,
        "subject": "Copy: {{ jurisdiction.name }}'s request to opt out of Secure Communities",
        "cc": "",
        "body": """Dear Governor:

Please find enclosed a copy of the notice {{ jurisdiction.name }} sent on {{ case.first_notice_on }} to the {{ sib.name }} and to U.S. Immigration and Customs Enforcement, asking not to activate Secure Communities.

{{ case.reasons }}

We ask for the state's support in coming to a resolution that respects {{ jurisdiction.name }}'s decision.""",
    },
    {
        "key": "follow-up",
        "name": "Follow-up when no answer came",
        "recipient": Recipient.ICE,
        "subject": "Follow-up: {{ jurisdiction.name }}'s opt-out request of {{ case.first_notice_on }}",
        "cc": "{{ sib.name }}",
        "body": """Dear {{ ice.contact_person }}:

On {{ case.first_notice_on }}, {{ jurisdiction.name }} notified ICE and the {{ sib.name }} in writing that it does not wish to activate Secure Communities. {{ case.days_waiting }} days later, we have received no written reply and no request for the meeting ICE's procedure provides.

We ask again that ICE request that meeting, and that {{ jurisdiction.name }} not be activated while its request is pending. Its scheduled activation date is {{ jurisdiction.scheduled_activation }}.""",
    },
    {
        "key": "clarification",
        "name": "Counsel's request for clarification",
        "recipient": Recipient.ICE,
        "subject": "Request for clarification of the Secure Communities opt-out process",
        "cc": "",
        "body": """Dear {{ ice.contact_person }}:

This office represents {{ jurisdiction.name }}, {{ jurisdiction.state }}. There appears to be significant confusion about how a local jurisdiction may decline to take part in Secure Communities.

We ask that you state in writing: how a jurisdiction that does not wish to activate on its scheduled date should notify ICE and the state; what happens on receipt of that notice; who takes part in the meeting ICE has described; and what outcomes are available, including removal from the deployment plan.

{{ jurisdiction.name }}'s scheduled activation date is {{ jurisdiction.scheduled_activation }}. We would be grateful for an answer before that date.""",
    },
]


def letter_templates_install_defaults() -> int:
    """Create the default letter templates that do not exist yet; never overwrite an admin's edits."""
    created = 0
    for spec in DEFAULT_TEMPLATES:
        _, was_created = LetterTemplate.objects.get_or_create(
            key=spec["key"], defaults={k: v for k, v in spec.items() if k != "key"}
        )
        created += was_created
    return created
