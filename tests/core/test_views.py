"""core.views.run_service: how every form of the site answers a service's yes or no."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import RequestFactory

from core.views import run_service


class NameForm(forms.Form):
    name = forms.CharField()


def _posted(data=None):
    request = RequestFactory().post("/somewhere/", data or {})
    request._messages = CookieStorage(request)
    return request


def _texts(request) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


def _view(request, service, **options):
    """A view as the site writes them: the form shown again with a 400 when refused."""
    form = NameForm(request.POST)
    assert form.is_valid()
    response = run_service(
        request,
        form,
        lambda: service(form.cleaned_data["name"]),
        success_message=options.pop("success_message", "Name saved."),
        success_url=options.pop("success_url", "/done/"),
        **options,
    )
    return response or HttpResponse(form.errors.as_json(), status=400), form


def _refuse(exc):
    def service(name):
        raise exc

    return service


def test_a_service_that_succeeds_redirects_with_its_message():
    request = _posted({"name": "Harbor"})
    response, form = _view(request, lambda name: name.upper())
    assert (response.status_code, response.url) == (302, "/done/")
    assert _texts(request) == [("success", "Name saved.")]
    assert not form.errors


def test_the_message_and_the_page_may_depend_on_what_the_service_returned():
    request = _posted({"name": "Harbor"})
    response, _ = _view(
        request,
        lambda name: name.upper(),
        success_message=lambda result: f"{result} saved.",
        success_url=lambda result: f"/names/{result}/",
    )
    assert response.url == "/names/HARBOR/"
    assert _texts(request) == [("success", "HARBOR saved.")]


def test_an_empty_message_shows_none():
    request = _posted({"name": "Harbor"})
    response, _ = _view(request, lambda name: name, success_message="")
    assert response.status_code == 302
    assert _texts(request) == []


def test_a_refusal_naming_a_field_is_shown_at_that_field_with_a_400():
    request = _posted({"name": "Harbor"})
    response, form = _view(request, _refuse(ValidationError({"name": "That name is taken."})))
    assert response.status_code == 400
    assert form.errors == {"name": ["That name is taken."]}
    assert _texts(request) == []


def test_a_refusal_naming_a_field_the_form_lacks_goes_to_the_top():
    request = _posted({"name": "Harbor"})
    response, form = _view(request, _refuse(ValidationError({"version": "Someone else saved."})))
    assert response.status_code == 400
    assert form.non_field_errors() == ["Someone else saved."]


def test_a_refusal_naming_no_field_is_shown_at_the_top_of_the_form():
    request = _posted({"name": "Harbor"})
    response, form = _view(request, _refuse(ValidationError("The request is closed.")))
    assert response.status_code == 400
    assert form.non_field_errors() == ["The request is closed."]
    assert "name" not in form.errors


def test_a_refusal_naming_no_field_may_be_placed_at_one():
    request = _posted({"name": "Harbor"})
    response, form = _view(request, _refuse(ValidationError("Not a PDF.")), field="name")
    assert response.status_code == 400
    assert form.errors == {"name": ["Not a PDF."]}


def test_a_button_without_a_form_goes_back_with_the_refusal_as_a_message():
    request = _posted()
    response = run_service(
        request,
        None,
        lambda: _refuse(ValidationError("A sent letter cannot be deleted."))(None),
        success_message="Draft deleted.",
        success_url="/case/",
        failure_url="/letter/",
    )
    assert (response.status_code, response.url) == (302, "/letter/")
    assert _texts(request) == [("error", "A sent letter cannot be deleted.")]


def test_a_button_without_a_form_or_a_page_to_go_back_to_leaves_the_answer_to_its_view():
    request = _posted()
    response = run_service(
        request,
        None,
        lambda: _refuse(ValidationError("No."))(None),
        success_message="Done.",
        success_url="/done/",
    )
    assert response is None
    assert _texts(request) == [("error", "No.")]


@pytest.mark.parametrize("failure_url", [None, "/back/"])
def test_a_button_without_a_form_redirects_on_success(failure_url):
    request = _posted()
    response = run_service(
        request,
        None,
        lambda: 3,
        success_message=lambda count: f"{count} reminders marked read.",
        success_url="/reminders/",
        failure_url=failure_url,
    )
    assert response.url == "/reminders/"
    assert _texts(request) == [("success", "3 reminders marked read.")]
