"""
What a signed-in request costs before its page asks anything: the session
from the cache, the user, and their roles and bell count kept per user until
a service changes them. Pinned on the lightest signed-in page.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from jurisdictions.models import Membership
from optouts.permissions import roles_by_jurisdiction
from reminders import selectors, services
from reminders.models import Notification, Reminder, ReminderRule
from tests.factories import JurisdictionFactory, MembershipFactory, OptOutRequestFactory

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as the next request loads it: nothing kept on the instance."""
    return get_user_model().objects.get(pk=user.pk)


def test_the_lightest_signed_in_page_costs_three_queries(client, django_assert_max_num_queries):
    staff = MembershipFactory(role=Membership.Role.STAFF).user
    client.force_login(staff)
    assert client.get(reverse("reminders:list")).status_code == 200
    # The session, the bell's counts and the email preference from the cache;
    # only the user from the database (an empty bell: no list to ask for).
    with django_assert_max_num_queries(1):
        response = client.get(reverse("reminders:list"))
    assert response.status_code == 200
    assert b'aria-label="Reminders: 0 unread"' in response.content


def test_the_email_preference_is_kept_until_the_user_chooses_again(client):
    from reminders.models import ReminderPreference

    staff = MembershipFactory(role=Membership.Role.STAFF).user
    client.force_login(staff)
    page = client.get(reverse("reminders:list")).content.decode()
    assert re.search(r'<input[^>]*value="immediate"[^>]*checked', page)
    response = client.post(reverse("reminders:preferences"), {"delivery": "digest"})
    assert response.status_code == 302
    assert ReminderPreference.objects.get(user=staff).delivery == "digest"
    page = client.get(reverse("reminders:list")).content.decode()
    assert re.search(r'<input[^>]*value="digest"[^>]*checked', page)
    assert not re.search(r'<input[^>]*value="immediate"[^>]*checked', page)


def test_roles_are_read_once_then_kept_until_a_membership_changes(django_assert_num_queries):
    membership = MembershipFactory(role=Membership.Role.STAFF)
    user, first = membership.user, membership.jurisdiction_id
    user = fresh(user)
    with django_assert_num_queries(1):
        assert roles_by_jurisdiction(user) == {first: {"staff"}}
    user = fresh(user)
    with django_assert_num_queries(0):
        assert roles_by_jurisdiction(user) == {first: {"staff"}}

    other = JurisdictionFactory()
    Membership.objects.create(user=user, jurisdiction=other, role=Membership.Role.COUNSEL)
    assert roles_by_jurisdiction(fresh(user)) == {first: {"staff"}, other.pk: {"counsel"}}
    membership.delete()
    assert roles_by_jurisdiction(fresh(user)) == {other.pk: {"counsel"}}


def test_another_user_given_the_same_id_is_not_served_the_kept_roles():
    membership = MembershipFactory(role=Membership.Role.STAFF)
    user = fresh(membership.user)
    assert roles_by_jurisdiction(user)
    Membership.objects.filter(user=user).delete()  # around the models: no signal
    user.date_joined = user.date_joined.replace(year=user.date_joined.year - 1)
    user.save(update_fields=["date_joined"])
    assert roles_by_jurisdiction(fresh(user)) == {}


def test_the_bell_follows_notifications_created_and_read_through_the_services(
    django_assert_num_queries,
):
    membership = MembershipFactory(role=Membership.Role.STAFF)
    user = membership.user
    with django_assert_num_queries(1):
        assert selectors.unread_count(user=user) == 0
    user = fresh(user)
    with django_assert_num_queries(0):
        assert selectors.unread_count(user=user) == 0
    reminder = Reminder.objects.create(
        case=OptOutRequestFactory(jurisdiction=membership.jurisdiction),
        rule=ReminderRule.objects.get(code="draft-untouched"),
        due_on="2010-01-01",
        status="sent",
        sent_at=timezone.now(),
    )
    Notification.objects.create(user=user, reminder=reminder)
    services.notifications_changed(user_ids=[user.pk])
    assert selectors.notification_counts(user=fresh(user)) == (1, 1)
    services.notifications_mark_read(user=user)
    assert selectors.notification_counts(user=fresh(user)) == (0, 1)
