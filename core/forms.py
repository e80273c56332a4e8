"""What every app's forms share."""

from django import forms
from django.core.exceptions import ValidationError


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
