"""A mail scanner that opens every link turns nothing off: only a POST does."""

import pytest
from django.test import Client
from django.urls import reverse

from reminders.emails import unsubscribe_token
from reminders.models import ReminderPreference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory()


def _url(user):
    return reverse("reminders:unsubscribe", args=[unsubscribe_token(user)])


def _delivery(user):
    preference = ReminderPreference.objects.filter(user=user).first()
    return preference.delivery if preference else None


def test_opening_the_link_only_shows_a_button(client, user, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(_url(user))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Turn off reminder emails" in body and 'method="post"' in body
    assert client.head(_url(user)).status_code == 200
    assert _delivery(user) is None
    assert not ReminderPreference.objects.exists()


def test_the_button_and_the_one_click_post_turn_reminder_emails_off(client, user):
    response = client.post(_url(user))
    assert response.status_code == 200
    assert "no more reminder emails" in response.content.decode()
    assert _delivery(user) == "none"
    other = UserFactory()
    # A mail client's RFC 8058 one-click POST, without a CSRF token.
    response = Client(enforce_csrf_checks=True).post(_url(other), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert _delivery(other) == "none"


def test_opening_the_link_again_says_emails_are_off_and_offers_them_back(client, user):
    client.post(_url(user))
    body = client.get(_url(user)).content.decode()
    assert "already off" in body and "Email me again" in body
    client.post(_url(user), {"resubscribe": "1"})
    assert _delivery(user) == "immediate"


def test_a_forged_link_changes_nothing(client, user):
    assert client.post("/reminders/unsubscribe/forged/").status_code == 404
    assert client.get("/reminders/unsubscribe/forged/").status_code == 404
    assert not ReminderPreference.objects.exists()


def test_other_methods_are_refused(client, user):
    assert client.put(_url(user)).status_code == 405
    assert not ReminderPreference.objects.exists()
