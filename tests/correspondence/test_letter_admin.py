"""
An admin editing a draft letter with a placeholder outside the list, or a
template tag, is told so at the field, with the form shown again (a 200,
not a 500), and nothing is saved.
"""

import pytest
from django.urls import reverse

from correspondence import letters
from correspondence.models import Letter
from tests.factories import UserFactory

from .test_case_touch import admin_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(case, staff):
    return letters.letter_draft_create(case_id=case.pk, user=staff, template_key="notice-sib")


@pytest.mark.parametrize(
    ("field", "text", "said"),
    [
        ("body", "Dear {{ settings.SECRET_KEY }},", "Unknown placeholder"),
        ("subject", "{% load static %}Notice", "Template tags"),
        ("cc", "{{ user.password }}", "Unknown placeholder"),
        ("body", "   ", "This field is required"),
    ],
)
def test_a_refused_text_is_said_at_its_field_and_nothing_is_saved(client, draft, field, text, said):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    url = reverse("admin:correspondence_letter_change", args=[draft.pk])
    data = admin_form_data(client.get(url))
    data[field] = text
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert said in " ".join(errors[field])
    assert Letter.objects.values_list(field, flat=True).get(pk=draft.pk) == getattr(draft, field)


def test_an_accepted_edit_is_saved_through_the_service(client, draft):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    url = reverse("admin:correspondence_letter_change", args=[draft.pk])
    data = admin_form_data(client.get(url))
    data["body"] = "Dear {{ sib.contact_person }}, we opt out."
    assert client.post(url, data).status_code == 302
    assert Letter.objects.get(pk=draft.pk).body == "Dear {{ sib.contact_person }}, we opt out."
