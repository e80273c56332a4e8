"""
The overview's counts and each county's "opt-out pending" (optouts.tally)
kept in step with the cases by every change, from the real 2010 cases on:
after each move the kept figures equal the cases counted afresh.
"""

import datetime
import functools
import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse

from jurisdictions.models import Jurisdiction
from jurisdictions.services import jurisdiction_plan_update
from optouts import services, tally
from optouts.models import CaseCount, Delivery, JurisdictionCases, OptOutRequest, Recipient, Stage
from optouts.status import PENDING_STAGES, JurisdictionStatus, jurisdiction_status
from scomm.demo import demo_load
from tests.factories import JurisdictionFactory, MembershipFactory, case_with_notice_sent, copy_sent

pytestmark = pytest.mark.django_db


def in_step() -> None:
    assert tally.differences() == {}


def public_total() -> int:
    return sum(CaseCount.objects.filter(is_public=True).values_list("n", flat=True))


def draft(jurisdiction, staff, opened_on: datetime.date):
    """A request filed through the services, its notice not sent yet."""
    return services.optout_create(
        jurisdiction=jurisdiction,
        user=staff,
        requesting_official="Sheriff",
        requesting_body="sheriff",
        opened_on=opened_on,
    )


def test_the_real_2010_cases_are_counted_as_they_are_loaded(client):
    demo_load()
    assert OptOutRequest.objects.exists()
    in_step()
    assert public_total() == OptOutRequest.objects.public().count()
    # San Francisco: activated on June 8, 2010 while its request was pending.
    sf = Jurisdiction.objects.get(name="San Francisco County", state__postal_code="CA")
    assert CaseCount.objects.filter(activated_while_pending=True, is_public=True, n__gt=0).exists()
    assert JurisdictionCases.objects.filter(jurisdiction=sf).exists()
    # The overview's figures are the cases'.
    body = client.get(reverse("home")).content.decode()
    open_total = OptOutRequest.objects.public().filter(stage__in=PENDING_STAGES).count()
    assert open_total > 0
    assert f'id="open-total">{open_total}<' in body


def test_every_move_of_a_case_keeps_the_counts_in_step():
    jurisdiction = JurisdictionFactory(name="Arlington County", actual_activation=None)
    staff = MembershipFactory(jurisdiction=jurisdiction, role="staff").user
    case = draft(jurisdiction, staff, datetime.date(2010, 9, 28))
    in_step()
    assert public_total() == 0  # a draft is nobody else's yet
    assert jurisdiction_status(jurisdiction) != JurisdictionStatus.PENDING
    # One copy out: public ("notice partly sent") and pending.
    copy_sent(case, staff, Recipient.SIB, datetime.date(2010, 9, 29))
    in_step()
    assert public_total() == 1
    assert JurisdictionCases.objects.get(jurisdiction=jurisdiction).pending
    # The copy bounces: the draft is no longer pending.
    copy = Delivery.objects.get(request=case)
    services.delivery_fail(delivery_id=copy.pk, reason="Returned to sender")
    in_step()
    assert not JurisdictionCases.objects.get(jurisdiction=jurisdiction).pending
    # Both copies out, then a meeting asked for.
    for recipient in (Recipient.SIB, Recipient.ICE):
        copy_sent(case, staff, recipient, datetime.date(2010, 10, 1))
    in_step()
    case.refresh_from_db()
    assert case.stage == Stage.NOTICE_SENT
    services.optout_request_meeting(
        case_id=case.pk, user=staff, occurred_on=datetime.date(2010, 10, 5)
    )
    in_step()
    # Activated while the request waits (as Arlington was, on November 30, 2010).
    jurisdiction_plan_update(
        jurisdiction_id=jurisdiction.pk,
        reason="ICE's list",
        actual_activation=datetime.date(2010, 11, 30),
    )
    in_step()
    assert CaseCount.objects.filter(activated_while_pending=True, n=1).exists()
    # Denied: resolved, no longer pending.
    services.optout_resolve(
        case_id=case.pk,
        user=staff,
        outcome="denied",
        occurred_on=datetime.date(2010, 12, 1),
    )
    in_step()
    assert not JurisdictionCases.objects.get(jurisdiction=jurisdiction).pending
    # The activation date corrected in the admin's way (a save of the row).
    jurisdiction.refresh_from_db()
    jurisdiction.actual_activation = None
    jurisdiction.save()
    in_step()
    assert not CaseCount.objects.filter(activated_while_pending=True, n__gt=0).exists()
    # A case deleted (the admin may) leaves no count behind.
    OptOutRequest.objects.get(pk=case.pk).delete()
    in_step()
    assert public_total() == 0


def test_a_withdrawn_draft_leaves_the_public_counts():
    case = case_with_notice_sent()
    staff = MembershipFactory(jurisdiction=case.jurisdiction, role="staff").user
    services.optout_withdraw(case_id=case.pk, user=staff, reason="The board voted to stay in.")
    in_step()
    assert CaseCount.objects.get(stage=Stage.WITHDRAWN, is_public=True).n == 1
    assert not JurisdictionCases.objects.get(jurisdiction=case.jurisdiction).pending


def test_a_change_made_behind_the_counts_is_found_and_counted_afresh(caplog):
    case = case_with_notice_sent()
    in_step()
    OptOutRequest.objects.filter(pk=case.pk).update(stage=Stage.WITHDRAWN)  # no signal
    found = tally.differences()
    assert set(found) == {"kinds", "pending"}
    assert tally.rebuild() == 2  # notice sent one fewer, withdrawn one more
    assert "out of step" in caplog.text
    in_step()
    assert tally.rebuild() == 0


def test_a_failed_change_rolls_its_counts_back():
    case = case_with_notice_sent()
    before = list(CaseCount.objects.values_list("stage", "n"))
    with pytest.raises(RuntimeError), transaction.atomic():
        OptOutRequest.objects.get(pk=case.pk).delete()
        assert public_total() == 0
        raise RuntimeError("the rest of the change failed")
    assert list(CaseCount.objects.values_list("stage", "n")) == before
    in_step()


def at_once(*works) -> list[Exception]:
    """Each of `works` in a thread of its own, started together; the errors they raised."""
    barrier = threading.Barrier(len(works))
    errors: list[Exception] = []

    def run(work):
        try:
            barrier.wait()
            work()
        except Exception as exc:  # pragma: no cover - returned to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads), "a change is still waiting"
    return errors


@pytest.mark.django_db(transaction=True)
def test_two_changes_to_one_county_at_once_count_from_each_other(require_postgres):
    """On PostgreSQL: the county is locked while it is recounted."""
    jurisdiction = JurisdictionFactory()
    cases = [case_with_notice_sent(jurisdiction=jurisdiction) for _ in range(2)]
    staff = MembershipFactory(jurisdiction=jurisdiction, role="staff").user
    withdraw = [
        functools.partial(services.optout_withdraw, case_id=c.pk, user=staff, reason="Stay in.")
        for c in cases
    ]
    assert at_once(*withdraw) == []
    in_step()
    assert CaseCount.objects.get(stage=Stage.WITHDRAWN, is_public=True).n == 2
    assert not CaseCount.objects.filter(stage=Stage.NOTICE_SENT, n__gt=0).exists()


def test_a_copy_edited_in_the_admin_and_a_schedule_s_activation_are_counted():
    from jurisdictions.signals import activated_send

    jurisdiction = JurisdictionFactory(actual_activation=None)
    staff = MembershipFactory(jurisdiction=jurisdiction, role="staff").user
    case = draft(jurisdiction, staff, datetime.date(2010, 5, 4))
    copy_sent(case, staff, Recipient.SIB, datetime.date(2010, 5, 5))
    assert JurisdictionCases.objects.get(jurisdiction=jurisdiction).pending
    # The copy marked failed by hand (a save of the row, no service): no longer pending.
    copy = Delivery.objects.get(request=case)
    copy.status, copy.failed_on = Delivery.Status.FAILED, datetime.date(2010, 5, 20)
    copy.save()
    in_step()
    assert not JurisdictionCases.objects.get(jurisdiction=jurisdiction).pending
    # A deployment schedule writes the dates in bulk and announces the activations.
    Jurisdiction.objects.filter(pk=jurisdiction.pk).update(
        actual_activation=datetime.date(2010, 6, 8)
    )
    activated_send(
        activations={jurisdiction.pk: (datetime.date(2010, 6, 8), "day")},
        source="Deployment schedule no. 1",
    )
    in_step()
    assert CaseCount.objects.filter(activated_while_pending=True, n=1).exists()


def test_the_case_list_counts_what_each_viewer_may_see_from_the_kept_counts(client):
    from django.contrib.auth import get_user_model

    from optouts.selectors import cases_visible_to, visible_count

    demo_load()
    home = Jurisdiction.objects.get(name="San Francisco County", state__postal_code="CA")
    member = MembershipFactory(jurisdiction=home, role="counsel").user
    draft(home, member, datetime.date(2010, 11, 2))
    admin = get_user_model().objects.create_user("root", is_superuser=True, is_staff=True)
    from django.contrib.auth.models import AnonymousUser

    for user in (AnonymousUser(), member, admin):
        assert visible_count(user=user) == cases_visible_to(user).count()
    assert visible_count(user=admin) > visible_count(user=AnonymousUser())
    # The list says so, and a filtered list counts its own.
    body = client.get(reverse("optouts:list")).content.decode()
    total = cases_visible_to(AnonymousUser()).count()
    assert f"{total} requests" in body
    body = client.get(reverse("optouts:list") + "?state=CA").content.decode()
    in_ca = cases_visible_to(AnonymousUser()).filter(jurisdiction__state__postal_code="CA").count()
    assert f"{in_ca} request" in body and in_ca < total


def test_the_case_list_s_first_page_is_read_from_its_index(require_postgres):
    """The default order is the index's own expression: PostgreSQL can read fifty keys from it."""
    from optouts.selectors import case_keys

    case_with_notice_sent()
    sql, params = case_keys().values("pk")[:50].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "optout_open_first" in plan, plan


def test_the_latest_activated_while_pending_are_those_of_the_cases_in_order():
    from public.selectors import public_cases

    opened = datetime.date(2010, 4, 1)
    counties = {}
    for name, activation, cases in (
        ("C", datetime.date(2010, 9, 1), 2),
        ("A", datetime.date(2010, 6, 8), 3),
        ("B", datetime.date(2010, 6, 8), 3),  # the same day as A: their cases go by id
        ("D", datetime.date(2010, 5, 1), 4),
    ):
        counties[name] = JurisdictionFactory(name=f"{name} County", actual_activation=None)
        counties[name].activation = activation
        counties[name].cases = cases
    # Filed in turns, so that A's and B's ids interleave.
    for turn in range(4):
        for j in counties.values():
            if turn < j.cases:
                case_with_notice_sent(jurisdiction=j, opened_on=opened)
    for j in counties.values():
        j.actual_activation = j.activation
        j.save()
    in_step()
    expected = list(
        public_cases()
        .filter(activated_while_pending=True)
        .order_by("-jurisdiction__actual_activation", "id")[:10]
    )
    found = tally.latest_activated_while_pending(public_cases())
    assert [c.pk for c in found] == [c.pk for c in expected]
    names = "".join(c.jurisdiction.name[0] for c in found)
    assert names[:2] == "CC" and names[-2:] == "DD"
    assert sorted(names[2:8]) == list("AAABBB") and names[2:8] not in ("AAABBB", "BBBAAA")
    # Fewer asked than counties: the counties read are cut at the limit, and
    # the same cases come first however many are asked.
    everyone = list(
        public_cases()
        .filter(activated_while_pending=True)
        .order_by("-jurisdiction__actual_activation", "id")
    )
    for limit in range(1, len(everyone) + 2):
        found = tally.latest_activated_while_pending(public_cases(), limit=limit)
        assert [c.pk for c in found] == [c.pk for c in everyone[:limit]], limit


@pytest.mark.django_db(transaction=True)
def test_a_move_and_an_activation_of_one_county_at_once_both_commit(require_postgres):
    """
    A move locks the case, then counts its county; an activation locks the
    county, then its open cases, then counts: the counts' lock comes last in
    both, so neither waits on the other for ever.
    """
    jurisdiction = JurisdictionFactory(actual_activation=None)
    staff = MembershipFactory(jurisdiction=jurisdiction, role="staff").user
    for day in (1, 2, 3):
        case = case_with_notice_sent(jurisdiction=jurisdiction, opened_on=datetime.date(2010, 4, 1))
        errors = at_once(
            functools.partial(services.optout_withdraw, case_id=case.pk, user=staff, reason="No."),
            functools.partial(
                jurisdiction_plan_update,
                jurisdiction_id=jurisdiction.pk,
                reason="ICE's list",
                actual_activation=datetime.date(2010, 6, day),
            ),
        )
        assert errors == []
        in_step()
