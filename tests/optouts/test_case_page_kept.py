"""
A county's case page kept for its people (optouts.views.case_detail): the
same page for everyone with the same roles for the case's jurisdiction,
rebuilt when the case, the plan, its letters or its reminders change, its
forms always carrying the CSRF token of the request they are served to.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import fragments
from jurisdictions.models import Membership
from optouts.models import CaseEvent, OptOutRequest
from reminders import services as reminder_services
from reminders.models import Reminder, ReminderRule
from tests.factories import (
    JurisdictionFactory,
    MembershipFactory,
    UserFactory,
    case_with_notice_sent,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def county():
    jurisdiction = JurisdictionFactory(name="Kept County")
    staff = MembershipFactory(
        jurisdiction=jurisdiction, role=Membership.Role.STAFF, user=UserFactory(username="deputy")
    ).user
    other_staff = MembershipFactory(
        jurisdiction=jurisdiction, role=Membership.Role.STAFF, user=UserFactory(username="clerk")
    ).user
    counsel = MembershipFactory(
        jurisdiction=jurisdiction,
        role=Membership.Role.COUNSEL,
        user=UserFactory(username="counsel"),
    ).user
    case = case_with_notice_sent(jurisdiction=jurisdiction, user=staff)
    return {
        "jurisdiction": jurisdiction,
        "staff": staff,
        "other_staff": other_staff,
        "counsel": counsel,
        "case": case,
    }


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_a_kept_case_page_costs_the_user_s_query_alone(county, django_assert_max_num_queries):
    client = signed_in(county["staff"])
    url = county["case"].get_absolute_url()
    first = client.get(url).content.decode()
    assert 'id="action-withdraw"' in first
    # The session, the roles and the generations from the cache; the case,
    # its facts, timeline, letters and reminders from the kept copies.
    with django_assert_max_num_queries(1):
        response = client.get(url)
    assert response.content.decode().count('id="action-withdraw"') == 1


def test_kept_forms_carry_the_token_of_the_request_they_are_served_to(county, monkeypatch):
    kept = []
    render = fragments.render_to_string
    monkeypatch.setattr(
        fragments, "render_to_string", lambda *a, **kw: kept.append(render(*a, **kw)) or kept[-1]
    )
    url = county["case"].get_absolute_url()
    deputy, clerk = signed_in(county["staff"]), signed_in(county["other_staff"])
    deputy_page = deputy.get(url).content.decode()
    built = len(kept)
    clerk_page = clerk.get(url).content.decode()
    assert len(kept) == built, "the second member of the county is served the kept page"
    # What is kept holds the stand-in, never a token; what is served, never the stand-in.
    page_part = next(html for html in kept if "action-withdraw" in html)
    assert set(TOKEN.findall(page_part)) == {fragments.CSRF_STAND_IN}
    for page in (deputy_page, clerk_page):
        assert fragments.CSRF_STAND_IN not in page
        assert len(TOKEN.findall(page)) >= 3  # the move's link forms, letters, export
    # The clerk posts a note with the token on the page served to him: it is accepted.
    token = TOKEN.findall(clerk_page)[0]
    response = clerk.post(
        reverse("optouts:event", args=[county["case"].pk]),
        {
            "csrfmiddlewaretoken": token,
            "event-kind": CaseEvent.Kind.NOTE,
            "event-occurred_on": timezone.localdate().isoformat(),
            "event-date_precision": "day",
            "event-summary": "The clerk called the SIB.",
            "event-source": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert county["case"].events.filter(summary="The clerk called the SIB.").exists()
    # The deputy's token was never the clerk's: each page carries its own session's.
    assert TOKEN.findall(deputy_page)[0] != token


def test_staff_and_counsel_of_one_county_each_get_their_own_forms(county):
    url = county["case"].get_absolute_url()
    for _ in range(2):  # built, then kept, for each
        staff_page = signed_in(county["staff"]).get(url).content.decode()
        counsel_page = signed_in(county["counsel"]).get(url).content.decode()
        # Only staff move the case; both write letters and see the reminders.
        assert 'id="action-withdraw"' in staff_page
        assert 'id="action-withdraw"' not in counsel_page
        for page in (staff_page, counsel_page):
            assert 'id="letter-create"' in page or "Record correspondence" in page
            assert 'id="reminders"' in page


def test_a_move_shows_at_once_on_the_kept_page(county):
    from optouts import services

    client = signed_in(county["staff"])
    url = county["case"].get_absolute_url()
    before = client.get(url).content.decode()
    version = re.search(r'name="version" value="(\d+)"', before).group(1)
    services.optout_withdraw(
        case_id=county["case"].pk, user=county["staff"], reason="The board voted to stay in."
    )
    after = client.get(url).content.decode()
    assert "badge stage-withdrawn" in after
    assert f'name="version" value="{version}"' not in after


def test_a_skipped_reminder_and_a_changed_rule_show_on_the_kept_page(county):
    case = county["case"]
    rule = ReminderRule.objects.create(
        code="kept-page-check",
        name="Ask the SIB again",
        anchor=ReminderRule.Anchor.STAGE_ENTERED,
        days="30",
        message="Ask again.",
    )
    reminder = Reminder.objects.create(case=case, rule=rule, due_on=timezone.localdate())
    client = signed_in(county["staff"])
    url = case.get_absolute_url()
    assert "Ask the SIB again" in client.get(url).content.decode()
    # Turned off behind the admin's back: the kept page is not told by the rule...
    ReminderRule.objects.filter(pk=rule.pk).update(is_active=False)
    # ... but the sweep's skip says so.
    reminder_services.reminder_send(reminder_id=reminder.pk)
    assert Reminder.objects.get(pk=reminder.pk).status == Reminder.Status.SKIPPED
    assert "The rule was turned off." in client.get(url).content.decode()
    # A rule renamed in the admin (a save) shows on the page at once.
    rule.refresh_from_db()
    rule.name = "Write to the SIB once more"
    rule.save()
    assert "Write to the SIB once more" in client.get(url).content.decode()


def test_a_refused_form_is_never_kept(county):
    client = signed_in(county["staff"])
    url = county["case"].get_absolute_url()
    token = TOKEN.findall(client.get(url).content.decode())[0]
    refused = client.post(
        reverse("optouts:event", args=[county["case"].pk]),
        {"csrfmiddlewaretoken": token, "event-summary": "", "event-occurred_on": "not a date"},
    )
    assert refused.status_code == 400
    assert "not a date" in refused.content.decode()
    # The page asked afresh shows no trace of the refused form.
    assert "not a date" not in client.get(url).content.decode()
    assert "not a date" not in signed_in(county["other_staff"]).get(url).content.decode()


def test_a_draft_kept_for_its_county_is_missing_for_everyone_else(county):
    draft = OptOutRequest.objects.create(
        jurisdiction=county["jurisdiction"],
        requesting_official="Sheriff Draft",
        requesting_body="sheriff",
    )
    url = draft.get_absolute_url()
    assert signed_in(county["staff"]).get(url).status_code == 200
    assert signed_in(county["staff"]).get(url).status_code == 200  # kept
    assert signed_in(UserFactory(username="neighbour")).get(url).status_code == 404
    assert Client().get(url).status_code == 404
    # An id that names no case is a 404 each time, kept or not.
    missing = reverse("optouts:detail", args=[draft.pk + 1000])
    assert signed_in(county["staff"]).get(missing).status_code == 404
    assert signed_in(county["staff"]).get(missing).status_code == 404


def test_nothing_kept_for_the_case_page_holds_a_password_hash(county, monkeypatch):
    import pickle

    from core import pagecache

    kept = []
    real_set = pagecache.cache.set
    monkeypatch.setattr(
        pagecache.cache,
        "set",
        lambda key, value, *a, **kw: kept.append(value) or real_set(key, value, *a, **kw),
    )
    signed_in(county["staff"]).get(county["case"].get_absolute_url())
    assert any(isinstance(value, OptOutRequest) for value in kept), "the case row is kept"
    # The case was filed by the deputy: his row comes with it, never his password's hash.
    password = type(county["staff"]).objects.get(pk=county["staff"].pk).password
    assert password and county["case"].created_by_id == county["staff"].pk
    for value in kept:
        assert password.encode() not in pickle.dumps(value)
