"""What every app's views share: one way to run a service from a form."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect

from .forms import add_service_errors


def run_service(
    request: HttpRequest,
    form: forms.Form | None,
    call: Callable[[], Any],
    *,
    success_message: str | Callable[[Any], str],
    success_url: str | Callable[[Any], str],
    field: str | None = None,
    failure_url: str | None = None,
) -> HttpResponseRedirect | None:
    """
    Run one service for a posted form and answer as every form of the site
    does. On success: a message and a redirect, so that reloading the next
    page never repeats the change. On refusal (a ValidationError): nothing
    was changed, the reasons go on `form` where they belong
    (core.forms.add_service_errors, `field` for a reason naming no field),
    and None tells the view to show the form again, with a 400.

    A button with no form of its own passes `form=None` and the page it
    stands on as `failure_url`: its refusal becomes an error message there,
    reached by a redirect like a success. `success_message` and
    `success_url` may be callables of what the service returned, for a
    message or a page that depends on it (the letter just drafted, the
    request just opened); an empty message shows none.
    """
    try:
        result = call()
    except ValidationError as exc:
        if form is None:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(failure_url) if failure_url else None
        add_service_errors(form, exc, field=field)
        return None
    text = success_message(result) if callable(success_message) else success_message
    if text:
        messages.success(request, text)
    return redirect(success_url(result) if callable(success_url) else success_url)
