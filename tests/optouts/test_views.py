import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from jurisdictions.models import Jurisdiction
from optouts import tally
from optouts.models import CaseEvent, Delivery, OptOutRequest, Stage
from tests.factories import JurisdictionFactory, MembershipFactory, StateFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def many_cases(n, **extra):
    state = StateFactory()
    jurisdictions = Jurisdiction.objects.bulk_create(
        Jurisdiction(
            state=state,
            name=f"Bulk {i} County",
            kind="county",
            scheduled_activation=TODAY + datetime.timedelta(days=i % 90),
            plan_status="scheduled",
        )
        for i in range(n)
    )
    stages = [s for s in Stage.values if s != Stage.DRAFT]

    def case(i, j):
        stage = stages[i % len(stages)]
        closed = stage in (Stage.RESOLVED, Stage.WITHDRAWN)
        return OptOutRequest(
            jurisdiction=j,
            stage=stage,
            outcome="denied" if stage == Stage.RESOLVED else "",
            closed_on=TODAY if closed else None,
            requesting_official=f"Sheriff {i}",
            opened_on=TODAY - datetime.timedelta(days=i % 300),
            **extra,
        )

    cases = OptOutRequest.objects.bulk_create(case(i, j) for i, j in enumerate(jurisdictions))
    # None is a draft: each notice went out (one copy is enough to be public once withdrawn).
    Delivery.objects.bulk_create(
        Delivery(request=c, recipient="sib", recipient_name="SIB", method="letter", sent_on=TODAY)
        for c in cases
    )
    tally.rebuild()  # written in bulk, without the signals that count them
    return jurisdictions, cases


def test_the_case_list_keeps_a_fixed_number_of_queries_with_10000_cases(
    client, django_assert_max_num_queries
):
    many_cases(10_000)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("optouts:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<tr") == 51  # the header and one page of 50
    with django_assert_max_num_queries(4):
        response = client.get(reverse("optouts:list"), {"page": 150, "order": "-waiting"})
    assert response.status_code == 200


def test_the_case_list_filters_and_marks_activated_while_pending(client):
    jurisdictions, cases = many_cases(30)
    activated = jurisdictions[3]
    activated.actual_activation = TODAY
    activated.plan_status = "activated"
    activated.save()
    OptOutRequest.objects.filter(pk=cases[3].pk).update(stage=Stage.NOTICE_SENT)
    response = client.get(reverse("optouts:list"), {"activated_while_pending": "on"})
    body = response.content.decode()
    assert "Bulk 3 County" in body
    assert "Bulk 4 County" not in body
    assert "Activated while pending" in body
    response = client.get(reverse("optouts:list"), {"stage": "withdrawn"})
    body = response.content.decode()
    withdrawn = [c for c in cases if c.stage == Stage.WITHDRAWN]
    assert all(f"/cases/{c.pk}/" in body for c in withdrawn)
    assert f"/cases/{cases[3].pk}/" not in body


def test_a_bad_filter_is_explained_not_a_crash(client):
    many_cases(3)
    response = client.get(reverse("optouts:list"), {"stage": "nonsense", "page": "x"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_case_page_keeps_a_fixed_number_of_queries_with_many_events(
    client, django_assert_max_num_queries
):
    _, cases = many_cases(1)
    case = cases[0]
    CaseEvent.objects.bulk_create(
        CaseEvent(request=case, kind="reply", summary=f"Reply {i}", occurred_on=TODAY)
        for i in range(500)
    )
    member = MembershipFactory(jurisdiction=case.jurisdiction, role="staff").user
    client.force_login(member)
    with django_assert_max_num_queries(16):
        response = client.get(case.get_absolute_url())
    assert response.content.decode().count("Reply ") >= 500


def test_the_home_page_keeps_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    many_cases(2_000)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("home"))
    assert response.status_code == 200


def test_the_filing_page_shows_the_activation_date_and_days_left(client):
    jurisdiction = JurisdictionFactory(scheduled_activation=TODAY + datetime.timedelta(days=12))
    member = MembershipFactory(jurisdiction=jurisdiction, role="staff").user
    client.force_login(member)
    body = client.get(reverse("optouts:create")).content.decode()
    assert "12 days" in body
    response = client.post(
        reverse("optouts:create"),
        {"jurisdiction": jurisdiction.pk, "requesting_official": "", "requesting_body": "sheriff"},
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not OptOutRequest.objects.exists()


def test_the_activation_takes_its_place_among_the_events_by_date(client):
    from jurisdictions.models import Jurisdiction
    from optouts import services
    from tests.factories import UserFactory, case_with_notice_sent

    user = UserFactory()
    opened = TODAY - datetime.timedelta(days=20)
    case = case_with_notice_sent(user=user, opened_on=opened)
    services.event_record(
        case_id=case.pk, user=user, kind="reply", summary="Early reply.", occurred_on=opened
    )
    services.event_record(case_id=case.pk, user=user, kind="reply", summary="Late reply.")
    activated = TODAY - datetime.timedelta(days=10)
    Jurisdiction.objects.filter(pk=case.jurisdiction_id).update(actual_activation=activated)
    body = client.get(case.get_absolute_url()).content.decode()
    timeline = body.split('id="timeline"')[1]
    assert timeline.count("Jurisdiction activated") == 1
    early = timeline.index("Early reply.")
    assert early < timeline.index("Jurisdiction activated") < timeline.index("Late reply.")


def test_a_move_is_saved_then_redirected_with_a_plain_message_or_refused_at_its_form(client):
    from django.contrib.messages import get_messages

    from tests.factories import case_with_notice_sent

    case = case_with_notice_sent()
    staff = MembershipFactory(jurisdiction=case.jurisdiction, role="staff").user
    client.force_login(staff)
    url = reverse("optouts:action", args=[case.pk, "request_meeting"])
    data = {"request_meeting-occurred_on": TODAY.isoformat(), "version": case.version}
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Meeting request recorded."]
    # The same form sent again, from a page loaded before the change: refused
    # at the form that was sent, with the reason, and nothing moves.
    stale = client.post(
        reverse("optouts:action", args=[case.pk, "withdraw"]),
        {"withdraw-reason": "Changed our mind", "version": case.version},
    )
    assert stale.status_code == 400
    assert "changed by someone else" in stale.content.decode()
    assert OptOutRequest.objects.get(pk=case.pk).stage == Stage.MEETING_REQUESTED
