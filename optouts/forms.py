from django import forms
from django.utils import timezone

from core.forms import DateField, DateTimeField
from jurisdictions.models import State

from .facts import DatePrecision, MeetingParty
from .models import (
    CaseEvent,
    CaseScope,
    DeliveryMethod,
    OptOutRequest,
    Outcome,
    Recipient,
    RequestingBody,
)

DATE = forms.DateInput(attrs={"type": "date"})


def not_future(value):
    """A date field's check: what is recorded has happened."""
    if value and value > timezone.localdate():
        raise forms.ValidationError("This date is in the future.")
    return value


def precision_field(label: str = "How precise the date is") -> forms.ChoiceField:
    """The precision of a date of record: the day, the month, or a latest day (the day if none)."""
    return forms.TypedChoiceField(
        label=label,
        choices=DatePrecision.choices,
        initial=DatePrecision.DAY,
        required=False,
        empty_value=DatePrecision.DAY,
        help_text="When the source gives only the month, or a day by which it had happened.",
    )


def date_of_record_field(label: str = "Date", *, required: bool = True) -> DateField:
    """
    A date of record. Its checks against today and the case's other dates
    are the services' (optouts.services.base), which know its precision.
    Left empty where it may be, the service takes today.
    """
    return DateField(
        label=label,
        widget=DATE,
        required=required,
        help_text="" if required else "Today if left empty.",
    )


SOURCE = {"label": "Source document (optional)", "required": False, "max_length": 300}


class CaseCreateForm(forms.ModelForm):
    """
    A new request. Admins may also file a state-level one (a governor
    suspending the state's agreement): the scope "the whole state" and a
    state take the place of the jurisdiction. An "other" requester is named.
    """

    scope = forms.ChoiceField(
        label="The request is about",
        choices=CaseScope.choices,
        initial=CaseScope.JURISDICTION,
        widget=forms.RadioSelect,
    )
    state = forms.ModelChoiceField(
        label="State",
        queryset=State.objects.none(),
        required=False,
        help_text="For a request about the whole state only.",
    )

    opened_on = DateField(
        label="Date of the request",
        widget=DATE,
        required=False,
        help_text="The day the request was made (its letter's date), when entered afterwards; "
        "today if left empty.",
    )
    opened_precision = precision_field("How precise that date is")

    class Meta:
        model = OptOutRequest
        fields = [
            "jurisdiction",
            "requesting_official",
            "requesting_body",
            "requesting_body_other",
            "reasons",
        ]
        labels = {
            "requesting_body": "On behalf of",
            "requesting_body_other": "Name of the requester (when “Other”)",
        }

    def __init__(self, *args, jurisdictions, states=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = jurisdictions
        self.fields["jurisdiction"].empty_label = None
        self.fields["requesting_body"].choices = RequestingBody.choices
        if states is None:
            del self.fields["scope"], self.fields["state"]
        else:
            self.fields["state"].queryset = states
            self.fields["jurisdiction"].required = False
            self.order_fields(["scope", "jurisdiction", "state"])

    def clean(self):
        data = super().clean()
        if (
            data.get("requesting_body") == RequestingBody.OTHER
            and not (data.get("requesting_body_other") or "").strip()
        ):
            self.add_error(
                "requesting_body_other", "Name the requester when it is none of the listed offices."
            )
        if data.get("scope") == CaseScope.STATE:
            if not data.get("state"):
                self.add_error("state", "Choose the state the request is about.")
            data["jurisdiction"] = None
        elif "scope" in self.fields and not data.get("jurisdiction"):
            self.add_error("jurisdiction", "Choose the jurisdiction the request is about.")
        return data

    def _post_clean(self):
        """The service checks the case; the form only shapes its fields."""


class DeliveryForm(forms.Form):
    """One copy of the notice as sent; nothing is chosen or dated in advance."""

    recipient_name = forms.CharField(label="Addressed to", max_length=200)
    method = forms.ChoiceField(choices=DeliveryMethod.choices, widget=forms.RadioSelect)
    sent_on = DateField(label="Date sent", widget=DATE, validators=[not_future])
    reference = forms.CharField(
        label="Tracking number or message ID (optional)",
        required=False,
        max_length=200,
        help_text="The certified mail tracking number, the fax confirmation "
        "or the email's message ID.",
    )


class ReceiptForm(forms.Form):
    """The receipt of one copy already sent: when, who signed, and the proof."""

    delivery = forms.TypedChoiceField(label="Copy received", coerce=int)
    received_on = DateField(label="Date received", widget=DATE, validators=[not_future])
    received_by = forms.CharField(
        label="Signed or acknowledged by (optional)",
        required=False,
        max_length=200,
        help_text="The name on the return receipt card, or who answered the email or fax.",
    )
    proof = forms.FileField(
        label="Proof of receipt (optional)",
        required=False,
        help_text="The return receipt card's scan, a fax confirmation or the email reply: "
        "a PDF, PNG or JPEG.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def __init__(self, *args, deliveries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivery"].choices = [(d.pk, copy_label(d)) for d in deliveries]


def copy_label(delivery) -> str:
    """A copy of the notice in a list of choices: "ICE — certified mail, sent Mar 3, 2010"."""
    label = (
        f"{delivery.get_recipient_display()} — {delivery.get_method_display().lower()}, "
        f"sent {delivery.sent_on:%b %-d, %Y}"
    )
    if delivery.reference:
        label += f" ({delivery.reference_label} {delivery.reference})"
    return label


class OtherDeliveryForm(DeliveryForm):
    recipient = forms.ChoiceField(choices=Recipient.choices)
    field_order = ["recipient", "recipient_name", "method", "sent_on", "reference"]


class DatedNoteForm(forms.Form):
    occurred_on = date_of_record_field()
    date_precision = precision_field()
    note = forms.CharField(
        label="What happened", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.CharField(**SOURCE)


class ScheduleMeetingForm(forms.Form):
    meeting_at = DateTimeField(
        label="Date and time", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    location = forms.CharField(label="Place or call details", required=False, max_length=300)
    occurred_on = date_of_record_field("Date the meeting was set", required=False)
    date_precision = precision_field()
    source = forms.CharField(**SOURCE)


class MeetingChangeForm(forms.Form):
    """Who asked to postpone or cancel the meeting, when and why."""

    asked_by = forms.ChoiceField(
        label="Who asked", choices=MeetingParty.choices, widget=forms.RadioSelect
    )
    occurred_on = date_of_record_field("Date asked")
    date_precision = precision_field()
    reason = forms.CharField(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="As the source gives it; “Not stated” when it gives none.",
    )
    source = forms.CharField(**SOURCE)


class PostponeMeetingForm(MeetingChangeForm):
    new_meeting_at = DateTimeField(
        label="New date and time (optional)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Leave empty when no new date was given.",
    )
    field_order = ["asked_by", "occurred_on", "date_precision", "reason", "new_meeting_at"]


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(choices=Outcome.choices, widget=forms.RadioSelect)
    deactivated = forms.BooleanField(
        label="ICE deactivated the jurisdiction as part of the resolution",
        required=False,
        help_text="Only for a jurisdiction already activated: without a deactivation it is "
        "neither removed from the plan nor given a new date.",
    )
    new_activation = DateField(
        label="New activation date",
        required=False,
        widget=DATE,
        help_text="Only when the activation date was adjusted.",
    )
    outcome_text = forms.CharField(
        label="Resolution in words", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    occurred_on = date_of_record_field("Date of the resolution")
    date_precision = precision_field()
    source = forms.CharField(**SOURCE)

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Outcome.DATE_ADJUSTED and not data.get("new_activation"):
            self.add_error("new_activation", "An adjusted activation date needs the new date.")
        if data.get("outcome") == Outcome.OTHER and not (data.get("outcome_text") or "").strip():
            self.add_error("outcome_text", "Describe the resolution.")
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why the request is withdrawn", widget=forms.Textarea(attrs={"rows": 3})
    )
    occurred_on = date_of_record_field("Date of the withdrawal", required=False)
    date_precision = precision_field()
    source = forms.CharField(**SOURCE)


class ReopenForm(forms.Form):
    """A denied request renewed with a new notice, on the day it was made."""

    opened_on = date_of_record_field("Date of the new request", required=False)
    opened_precision = precision_field()


class EventForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind",
        choices=[(CaseEvent.Kind.REPLY, "Reply received"), (CaseEvent.Kind.NOTE, "Note")],
    )
    occurred_on = date_of_record_field()
    date_precision = precision_field()
    summary = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.CharField(**SOURCE)
    is_public = forms.BooleanField(
        label="Public",
        required=False,
        initial=True,
        help_text="Untick for an internal note: only your jurisdiction's staff and counsel see it.",
    )
