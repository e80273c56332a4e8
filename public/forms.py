from django import forms

from core.forms import QuickSelect


class FollowForm(forms.Form):
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        help_text="We send one email to confirm, then one when something happens. "
        "Every email has a one-click unsubscribe link.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    case = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    jurisdiction = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    state = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2)

    def clean(self):
        data = super().clean()
        given = [k for k in ("case", "jurisdiction", "state") if data.get(k)]
        if len(given) != 1:
            raise forms.ValidationError("Choose one case, one jurisdiction or one state to follow.")
        return data


class FollowStateForm(forms.Form):
    """The short form on the home page: pick a state; the follow page asks for the address."""

    state = forms.ChoiceField(label="State", widget=QuickSelect)  # 56 options, no template each

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = states
