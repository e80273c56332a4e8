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

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone

from jurisdictions.models import PlanStatus, StateIdentificationBureau
from optouts.models import OptOutRequest
from optouts.selectors import ice_office_for


def long_date(value) -> str:
    """A date as a letter prints it ("June 3, 2010"); empty for no date."""
    return f"{value:%B} {value.day}, {value:%Y}" if value else ""


# How long a recipient is given to answer, and the least time a date before
# the activation may leave them.
ANSWER_DAYS = 30
ANSWER_DAYS_LEAST = 7


def activation_as_of(jurisdiction, day: datetime.date) -> tuple[str, datetime.date | None]:
    """
    Where the jurisdiction stood on ICE's plan on the day a letter bears:
    ("activated", date), ("scheduled", date), ("past_due", date) for a date
    gone by with no activation on record, ("removed", None) or
    ("unscheduled", None). A letter dated before a recorded activation
    speaks of it as scheduled, as it was then.
    """
    actual = jurisdiction.actual_activation
    if actual:
        return ("activated" if actual <= day else "scheduled"), actual
    if jurisdiction.plan_status == PlanStatus.ACTIVATED:
        return "activated", None
    if jurisdiction.plan_status == PlanStatus.REMOVED:
        return "removed", None
    scheduled = jurisdiction.scheduled_activation
    if scheduled:
        return ("scheduled" if scheduled >= day else "past_due"), scheduled
    return "unscheduled", None


def answer_deadline(jurisdiction, day: datetime.date) -> datetime.date:
    """
    The date a letter asks an answer by: thirty days after the letter, or
    the day before a scheduled activation that comes sooner but still leaves
    a week. Derived from the letter's own date, so a letter dated today
    never asks for an answer before a date already past.
    """
    deadline = day + datetime.timedelta(days=ANSWER_DAYS)
    state, when = activation_as_of(jurisdiction, day)
    if state == "scheduled":
        eve = when - datetime.timedelta(days=1)
        if day + datetime.timedelta(days=ANSWER_DAYS_LEAST) <= eve < deadline:
            return eve
    return deadline


def _activation_status(c) -> str:
    name = c["jurisdiction"].name
    state, when = c["activation"]
    return {
        "activated": f"Secure Communities was activated in {name} on {long_date(when)}."
        if when
        else f"Secure Communities has been activated in {name}.",
        "scheduled": f"ICE's deployment plan schedules {name} for activation on {long_date(when)}.",
        "past_due": f"ICE's deployment plan scheduled {name} for activation on {long_date(when)}.",
        "removed": f"{name} has been removed from ICE's deployment plan.",
        "unscheduled": f"ICE has not yet scheduled a date for the activation of {name}.",
    }[state]


def _activation_request(c) -> str:
    name = c["jurisdiction"].name
    state = c["activation"][0]
    if state == "activated":
        return f"We ask that Secure Communities be deactivated in {name} until this request is resolved."
    if state in ("scheduled", "past_due"):
        return f"We ask that {name} not be activated while this request is pending."
    return f"We ask that {name} not be scheduled for activation while this request is pending."


def _activation_resolution(c) -> str:
    name = c["jurisdiction"].name
    if c["activation"][0] == "activated":
        return f"deactivating Secure Communities in {name}"
    return f"removing {name} from the deployment plan"


def _salutation(contact) -> str:
    if contact is None:
        return "Dear Sir or Madam:"
    if contact.salutation:
        return contact.salutation
    return f"Dear {contact.contact_person}:" if contact.contact_person else "Dear Sir or Madam:"


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
    "activation.date": (
        "The date of its activation, done or scheduled, as of the letter's date",
        lambda c: long_date(c["activation"][1]) or "not yet scheduled",
    ),
    "activation.status": (
        "A sentence on its activation as of the letter's date: scheduled, not yet "
        "scheduled, or already activated",
        _activation_status,
    ),
    "activation.request": (
        "What is asked meanwhile: not to activate, not to schedule, or to deactivate",
        _activation_request,
    ),
    "activation.resolution": (
        "The resolution sought: removal from the plan, or deactivation once activated",
        _activation_resolution,
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
    "case.notice_sent": (
        "“sent on June 3, 2010”, or “is sending” before any copy went out",
        lambda c: (
            f"sent on {long_date(c['first_notice_on'])}" if c["first_notice_on"] else "is sending"
        ),
    ),
    "case.days_waiting": (
        "Days from the first notice to the letter's date",
        lambda c: (
            str(max((c["letter_date"] - c["first_notice_on"]).days, 0))
            if c["first_notice_on"]
            else "0"
        ),
    ),
    "sib.name": ("The State Identification Bureau", lambda c: c["sib"].name if c["sib"] else ""),
    "sib.contact_person": ("Its contact", lambda c: c["sib"].contact_person if c["sib"] else ""),
    "sib.contact_title": (
        "Its contact's title",
        lambda c: c["sib"].contact_title if c["sib"] else "",
    ),
    "sib.salutation": (
        "How to greet its contact (“Dear Director Doe:”)",
        lambda c: _salutation(c["sib"]),
    ),
    "sib.address": ("Its mailing address", lambda c: c["sib"].mailing_address if c["sib"] else ""),
    "ice.name": ("The ICE office", lambda c: c["ice"].name if c["ice"] else ""),
    "ice.contact_person": ("Its contact", lambda c: c["ice"].contact_person if c["ice"] else ""),
    "ice.contact_title": (
        "Its contact's title",
        lambda c: c["ice"].contact_title if c["ice"] else "",
    ),
    "ice.salutation": (
        "How to greet its contact (“Dear Assistant Director Venturella:”)",
        lambda c: _salutation(c["ice"]),
    ),
    "ice.address": ("Its mailing address", lambda c: c["ice"].mailing_address if c["ice"] else ""),
    "signatory.name": ("Who signs", lambda c: c["signatory_name"]),
    "signatory.title": ("The signatory's title", lambda c: c["signatory_title"]),
    "letter.date": ("The date on the letter", lambda c: long_date(c["letter_date"])),
    "letter.deadline": (
        "The date to answer by: 30 days after the letter, or the day before a sooner activation",
        lambda c: long_date(answer_deadline(c["jurisdiction"], c["letter_date"])),
    ),
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


# What depends on the letter's date or on the case's progress stays a
# placeholder in a draft, filled each time it prints and for good when it is
# sent: a draft written before the schedule came out must not go out saying
# "not yet scheduled", nor keep a deadline computed from an older date.
LIVE = frozenset(
    {
        "jurisdiction.scheduled_activation",
        "jurisdiction.actual_activation",
        "activation.date",
        "activation.status",
        "activation.request",
        "activation.resolution",
        "case.first_notice_on",
        "case.notice_sent",
        "case.days_waiting",
        "letter.date",
        "letter.deadline",
        "today",
    }
)


def placeholders_fill(text: str, values: dict[str, str], *, keep=frozenset()) -> str:
    """Replace each known {{ field }} by its value, but those in `keep`; leave the rest as typed."""

    def value(match):
        name = match.group(1)
        return match.group(0) if name in keep else values.get(name, match.group(0))

    return _PLACEHOLDER.sub(value, text or "")


def placeholder_values(
    *, case: OptOutRequest, letter_date=None, signatory_name="", signatory_title=""
) -> dict[str, str]:
    """
    Every placeholder's value for this case, as plain text, as of the
    letter's date: a letter speaks of the activation as it stood that day.
    """
    jurisdiction = case.jurisdiction
    first = min(
        (d.sent_on for d in case.deliveries.all() if getattr(d, "status", "sent") != "failed"),
        default=None,
    )
    letter_date = letter_date or timezone.localdate()
    context = {
        "case": case,
        "jurisdiction": jurisdiction,
        "sib": StateIdentificationBureau.objects.filter(state_id=jurisdiction.state_id).first(),
        "ice": ice_office_for(jurisdiction=jurisdiction),
        "first_notice_on": first,
        "today": timezone.localdate(),
        "letter_date": letter_date,
        "activation": activation_as_of(jurisdiction, letter_date),
        "signatory_name": signatory_name or "",
        "signatory_title": signatory_title or "",
    }
    return {name: str(func(context)) for name, (_, func) in PLACEHOLDERS.items()}
