from django import forms

from core.forms import QuickRadioSelect

from .models import Delivery

DATE = forms.DateInput(attrs={"type": "date"})


class SnoozeForm(forms.Form):
    rule = forms.TypedChoiceField(
        label="Which reminders", required=False, coerce=int, empty_value=None
    )
    until = forms.DateField(
        label="Snooze until",
        widget=DATE,
        error_messages={
            "required": "Choose the day the reminders come back.",
            "invalid": "Give the date as YYYY-MM-DD.",
        },
    )
    reason = forms.CharField(
        label="Why they can wait",
        max_length=300,
        error_messages={"required": "Say why the reminders can wait."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", "All reminders of this case")] + [
            (r.pk, r.name) for r in rules
        ]


class PreferenceForm(forms.Form):
    delivery = forms.ChoiceField(
        label="Reminder emails", choices=Delivery.choices, widget=QuickRadioSelect
    )
