"""
The {{ field }} placeholders of letter text.

Letter text written by admins and counsel is plain text with {{ field }}
placeholders. The placeholders come from the fixed list PLACEHOLDERS, each a
function of the case; the text never goes through Django's template engine,
so no tag, filter or attribute lookup an editor types can run. The result is
escaped by the (autoescaping) letter template like any other data.

The models check template text with placeholders_check, so this module
imports no model of its own app.
"""

import re

from django.core.exceptions import ValidationError
from django.utils import timezone

from jurisdictions.models import StateIdentificationBureau
from optouts.models import OptOutRequest
from optouts.selectors import ice_office_for


def long_date(value) -> str:
    """A date as a letter prints it ("June 3, 2010"); empty for no date."""
    return f"{value:%B} {value.day}, {value:%Y}" if value else ""


PLACEHOLDERS: dict[str, tuple[str, object]] = {
    "jurisdiction.name": ("The jurisdiction", lambda c: c["jurisdiction"].name),
    "jurisdiction.state": ("Its state", lambda c: c["jurisdiction"].state.name),
    "jurisdiction.scheduled_activation": (
        "Its scheduled activation date",
        lambda c: long_date(c["jurisdiction"].scheduled_activation) or "not yet scheduled",
    ),
    "jurisdiction.actual_activation": (
        "The date it was activated",
        lambda c: long_date(c["jurisdiction"].actual_activation) or "not activated",
    ),
    "case.requesting_official": ("Who asks", lambda c: c["case"].requesting_official),
    "case.requesting_body": (
        "On whose behalf",
        lambda c: c["case"].get_requesting_body_display(),
    ),
    "case.reasons": ("The reasons given", lambda c: c["case"].reasons),
    "case.opened_on": (
        "When the request was opened",
        lambda c: long_date(c["case"].opened_on),
    ),
    "case.first_notice_on": (
        "When the first copy of the notice was sent",
        lambda c: long_date(c["first_notice_on"]) or "not yet sent",
    ),
    "case.days_waiting": (
        "Days since the first notice",
        lambda c: str((c["today"] - c["first_notice_on"]).days) if c["first_notice_on"] else "0",
    ),
    "sib.name": ("The State Identification Bureau", lambda c: c["sib"].name if c["sib"] else ""),
    "sib.contact_person": ("Its contact", lambda c: c["sib"].contact_person if c["sib"] else ""),
    "sib.contact_title": (
        "Its contact's title",
        lambda c: c["sib"].contact_title if c["sib"] else "",
    ),
    "sib.address": ("Its mailing address", lambda c: c["sib"].mailing_address if c["sib"] else ""),
    "ice.name": ("The ICE office", lambda c: c["ice"].name if c["ice"] else ""),
    "ice.contact_person": ("Its contact", lambda c: c["ice"].contact_person if c["ice"] else ""),
    "ice.contact_title": (
        "Its contact's title",
        lambda c: c["ice"].contact_title if c["ice"] else "",
    ),
    "ice.address": ("Its mailing address", lambda c: c["ice"].mailing_address if c["ice"] else ""),
    "signatory.name": ("Who signs", lambda c: c["signatory_name"]),
    "signatory.title": ("The signatory's title", lambda c: c["signatory_title"]),
    "letter.date": ("The date on the letter", lambda c: long_date(c["letter_date"])),
    "today": ("Today's date", lambda c: long_date(c["today"])),
}

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.]+)\s*\}\}")
_TAG = re.compile(r"\{%|%\}")


def placeholders_check(text: str) -> None:
    """Refuse text with a placeholder outside the list, or a template tag."""
    if _TAG.search(text or ""):
        raise ValidationError(
            "Template tags ({% … %}) are not allowed. Use {{ field }} placeholders only."
        )
    unknown = sorted({m for m in _PLACEHOLDER.findall(text or "") if m not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            "Unknown placeholder"
            + ("s" if len(unknown) > 1 else "")
            + ": "
            + ", ".join(f"{{{{ {u} }}}}" for u in unknown)
            + ". Fields you can use: "
            + ", ".join(PLACEHOLDERS)
            + "."
        )


def placeholders_fill(text: str, values: dict[str, str]) -> str:
    """Replace each known {{ field }} by its value; leave anything else as typed."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text or "")


def placeholder_values(
    *, case: OptOutRequest, letter_date=None, signatory_name=None, signatory_title=None
) -> dict[str, str]:
    """Every placeholder's value for this case, as plain text."""
    jurisdiction = case.jurisdiction
    first = min((d.sent_on for d in case.deliveries.all()), default=None)
    context = {
        "case": case,
        "jurisdiction": jurisdiction,
        "sib": StateIdentificationBureau.objects.filter(state_id=jurisdiction.state_id).first(),
        "ice": ice_office_for(jurisdiction=jurisdiction),
        "first_notice_on": first,
        "today": timezone.localdate(),
        "letter_date": letter_date or timezone.localdate(),
        "signatory_name": jurisdiction.signatory_name if signatory_name is None else signatory_name,
        "signatory_title": jurisdiction.signatory_title
        if signatory_title is None
        else signatory_title,
    }
    return {name: str(func(context)) for name, (_, func) in PLACEHOLDERS.items()}
