"""What every app's forms share."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString

from .rows import html_row, html_rows


def _attributes(attrs: dict) -> SafeString:
    """HTML attributes as Django's widget templates write them: True bare, False left out."""
    return SafeString(  # nosec B308 B703: each part written by html_row, which escapes
        "".join(
            html_row(" {}", name) if value is True else html_row(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False and value is not None
        )
    )


class QuickSelect(forms.Select):
    """
    A select written in Python, with the same HTML as Django's template: a
    list of fifty-six states costs no included template per option.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group_name for group_name, _, _ in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = html_rows(
            '\n  <option value="{}"{}>{}</option>\n',
            (
                (option["value"], _attributes(option["attrs"]), option["label"])
                for _, group, _ in widget["optgroups"]
                for option in group
            ),
            sep="",
        )
        return html_row(
            '<select name="{}"{}>{}\n</select>',
            widget["name"],
            _attributes(widget["attrs"]),
            options,
        )


class QuickRadioSelect(forms.RadioSelect):
    """
    Radio buttons whose each button (`{{ radio.tag }}` in a template) is
    written in Python, with the same HTML as Django's template: no included
    templates per button on a page that lays its buttons out itself.
    """

    def _render(self, template_name, context, renderer=None):
        if template_name != self.option_template_name:
            return super()._render(template_name, context, renderer)
        widget = context["widget"]
        value = "" if widget["value"] is None else html_row(' value="{}"', str(widget["value"]))
        return html_row(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            value,
            _attributes(widget["attrs"]),
        )


def add_service_errors(form: forms.Form, exc: ValidationError, *, field: str | None = None) -> None:
    """
    A service's refusal shown where it belongs: each message naming one of the
    form's fields at that field, any other at the top of the form; a refusal
    that names no field at `field` (the top of the form by default).
    """
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, exc.messages)


# --- dates in range ---------------------------------------------------------------------------
#
# Every date a person types or a file gives lies within the years the site can
# count with: a meeting "on 9999-12-31" would overflow the calendar's and the
# reminders' arithmetic (a day later than the last day Python knows). The
# forms and the services refuse such dates with the same words.

EARLIEST_YEAR = 2005
LATEST_YEAR = 2099
DATE_RANGE_MESSAGE = f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}."


def date_in_range(value) -> None:
    """A date (or a date and time) between EARLIEST_YEAR and LATEST_YEAR; None passes."""
    if value is None or value == "":
        return
    year = getattr(value, "year", None)
    if not isinstance(year, int) or not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ValidationError(DATE_RANGE_MESSAGE, code="date_range")


def date_range_check(value, *, field: str) -> None:
    """A service's own check: the form's message, keyed by the field that holds the date."""
    try:
        date_in_range(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


class _InRange:
    """The range is checked first and alone: a date out of it needs no other word."""

    default_validators = [date_in_range]

    def run_validators(self, value):
        if value not in self.empty_values:
            date_in_range(value)
        super().run_validators(value)


class DateField(_InRange, forms.DateField):
    """A date between EARLIEST_YEAR and LATEST_YEAR."""


class DateTimeField(_InRange, forms.DateTimeField):
    """
    A date and time between EARLIEST_YEAR and LATEST_YEAR, checked before any
    arithmetic: 9999-12-31 23:30 in a timezone west of UTC is already past the
    last moment Python can hold in UTC.
    """

    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError:
            raise ValidationError(DATE_RANGE_MESSAGE, code="date_range") from None


def dates_in_range(form: forms.BaseForm) -> forms.BaseForm:
    """
    Put the range check on every date and date-and-time field of a form,
    those a ModelForm made from its model's fields included. Returns the form.
    """
    for field in form.fields.values():
        if isinstance(field, forms.DateField | forms.DateTimeField) and (
            date_in_range not in field.validators
        ):
            field.validators.append(date_in_range)
    return form
