from django import forms

from core.forms import DateField
from jurisdictions.models import Office
from optouts.forms import DATE, not_future
from optouts.models import DeliveryMethod

from . import letters, placeholders, uploads
from .models import CaseExport, Correspondence, Letter
from .offices import OFFICE_FIELDS


class LetterCreateForm(forms.Form):
    template = forms.TypedChoiceField(label="Letter", coerce=int)

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t.pk, t.name) for t in templates]


class LetterEditForm(forms.ModelForm):
    class Meta:
        model = Letter
        fields = list(letters.EDITABLE_FIELDS)
        widgets = {
            "letter_date": DATE,
            "recipient_address": forms.Textarea(attrs={"rows": 4}),
            "body": forms.Textarea(attrs={"rows": 16}),
        }
        help_texts = {
            "body": "Plain text; leave a blank line between paragraphs. "
            "You may use {{ field }} placeholders such as {{ activation.status }}.",
            "signatory_name": "A letter is sent signed: it cannot be sent without this name.",
        }
        error_messages = {"letter_date": {"required": "Give the date the letter bears."}}
        field_classes = {"letter_date": DateField}

    def _clean_text(self, name):
        value = self.cleaned_data.get(name, "")
        try:
            placeholders.placeholders_check(value)
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None
        return value

    def clean_subject(self):
        return self._clean_text("subject")

    def clean_body(self):
        return self._clean_text("body")

    def clean_cc(self):
        return self._clean_text("cc")


class LetterSendForm(forms.Form):
    """How the letter went out, with the SHA-256 of the PDF the sender was shown."""

    sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
    method = forms.ChoiceField(
        label="Sent by", choices=DeliveryMethod.choices, widget=forms.RadioSelect, initial="letter"
    )
    sent_on = DateField(label="Date sent", widget=DATE, validators=[not_future])
    reference = forms.CharField(
        label="Reference (optional)",
        required=False,
        max_length=200,
        help_text="Fax confirmation, tracking number or email message id.",
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d is not None]
        return [single(data, initial)] if data else []


class CorrespondenceForm(forms.ModelForm):
    files = MultipleFileField(
        label="Attachments (optional)",
        required=False,
        help_text="PDF, image (PNG, JPEG, GIF) or Word document.",
        allow_empty_file=True,
    )

    class Meta:
        model = Correspondence
        fields = [
            "direction",
            "method",
            "occurred_on",
            "sender",
            "recipient",
            "summary",
            "is_public",
        ]
        widgets = {
            "direction": forms.RadioSelect,
            "occurred_on": DATE,
            "summary": forms.Textarea(attrs={"rows": 4}),
        }
        field_classes = {"occurred_on": DateField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].validators.append(not_future)
        self.fields["direction"].choices = Correspondence.Direction.choices

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        errors = []
        for upload in files:
            try:
                uploads.upload_check(upload)
            except forms.ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise forms.ValidationError(errors)
        return files


class ExportForm(forms.Form):
    kind = forms.ChoiceField(choices=CaseExport.Kind.choices)


class OfficeForm(forms.ModelForm):
    class Meta:
        model = Office
        fields = list(OFFICE_FIELDS)
        widgets = {
            "letterhead": forms.Textarea(attrs={"rows": 4}),
            "return_address": forms.Textarea(attrs={"rows": 3}),
        }
