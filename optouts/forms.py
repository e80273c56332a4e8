from django import forms
from django.utils import timezone

from .models import (
    CaseEvent,
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


class CaseCreateForm(forms.ModelForm):
    class Meta:
        model = OptOutRequest
        fields = ["jurisdiction", "requesting_official", "requesting_body", "reasons"]
        labels = {"requesting_body": "On behalf of"}

    def __init__(self, *args, jurisdictions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = jurisdictions
        self.fields["jurisdiction"].empty_label = None
        self.fields["requesting_body"].choices = RequestingBody.choices


class DeliveryForm(forms.Form):
    recipient_name = forms.CharField(label="Addressed to", max_length=200)
    method = forms.ChoiceField(choices=DeliveryMethod.choices, widget=forms.RadioSelect)
    sent_on = forms.DateField(label="Date sent", widget=DATE, validators=[not_future])
    reference = forms.CharField(
        label="Reference (optional)",
        required=False,
        max_length=200,
        help_text="Fax confirmation, tracking number or email message id.",
    )


class OtherDeliveryForm(DeliveryForm):
    recipient = forms.ChoiceField(choices=Recipient.choices)
    field_order = ["recipient", "recipient_name", "method", "sent_on", "reference"]


class DatedNoteForm(forms.Form):
    occurred_on = forms.DateField(label="Date", widget=DATE, validators=[not_future])
    note = forms.CharField(
        label="What happened", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.CharField(label="Source document (optional)", required=False, max_length=300)


class ScheduleMeetingForm(forms.Form):
    meeting_at = forms.DateTimeField(
        label="Date and time", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    location = forms.CharField(label="Place or call details", required=False, max_length=300)


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(choices=Outcome.choices, widget=forms.RadioSelect)
    new_activation = forms.DateField(
        label="New activation date",
        required=False,
        widget=DATE,
        help_text="Only when the activation date was adjusted.",
    )
    outcome_text = forms.CharField(
        label="Resolution in words", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    occurred_on = forms.DateField(
        label="Date of the resolution", widget=DATE, validators=[not_future]
    )
    source = forms.CharField(label="Source document (optional)", required=False, max_length=300)

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


class EventForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind",
        choices=[(CaseEvent.Kind.REPLY, "Reply received"), (CaseEvent.Kind.NOTE, "Note")],
    )
    occurred_on = forms.DateField(label="Date", widget=DATE, validators=[not_future])
    summary = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.CharField(label="Source document (optional)", required=False, max_length=300)
    is_public = forms.BooleanField(
        label="Public",
        required=False,
        initial=True,
        help_text="Untick for an internal note: only your jurisdiction's staff and counsel see it.",
    )
