"""
Kept pages are renewed because a service said what it changed (cases, plan,
letters), and only the pages showing that kind of data: a follow, a history
row or a reminder renews nothing (core/pagecache.py, STYLE.md "Caching").
"""

import pytest
from django.test import Client
from django.urls import reverse

from core import pagecache
from jurisdictions.services import jurisdiction_plan_update
from optouts import services
from tests.factories import (
    JurisdictionFactory,
    MembershipFactory,
    UserFactory,
    case_with_notice_sent,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

PAGES = ("home", "optouts:list", "jurisdictions:list", "public:map", "public:data")


@pytest.fixture
def county():
    jurisdiction = JurisdictionFactory(name="Kinds County")
    member = MembershipFactory(jurisdiction=jurisdiction, user=UserFactory(username="deputy")).user
    case = case_with_notice_sent(jurisdiction=jurisdiction, user=member)
    return {"case": case, "member": member, "jurisdiction": jurisdiction}


@pytest.fixture
def builds(monkeypatch):
    """The fragments rendered (not served from a kept copy), by template."""
    from core import fragments

    built = []
    render = fragments.render_to_string
    monkeypatch.setattr(
        fragments, "render_to_string", lambda *a, **kw: built.append(a[0]) or render(*a, **kw)
    )
    return built


def _urls(case) -> list[str]:
    return [reverse(name) for name in PAGES] + [case.get_absolute_url()]


def _csv(client) -> tuple[bool, bytes]:
    """Whether the file came from its kept copy, and its bytes."""
    response = client.get(reverse("public:cases_csv"))
    if response.streaming:
        return False, b"".join(response.streaming_content)
    return True, response.content


def test_fifty_follow_requests_leave_every_kept_page_in_place(
    client, county, builds, django_capture_on_commit_callbacks
):
    case = county["case"]
    urls = _urls(case)
    for url in urls:
        assert client.get(url)["X-Page-Cache"] == "miss", url
    assert _csv(client)[0] is False  # built, streamed and kept
    member = Client()
    member.force_login(county["member"])
    for url in urls:
        member.get(url)
    kept_parts = len(builds)
    assert kept_parts >= 5  # overview, case list, jurisdiction table, case summary, timeline
    before = pagecache.generation()

    visitor = Client()
    for n in range(50):
        # Fifty readers, each from their own address: under the follow limits.
        with django_capture_on_commit_callbacks(execute=True):
            response = visitor.post(
                reverse("public:follow"),
                {"email": f"reader{n}@example.org", "case": case.pk},
                REMOTE_ADDR=f"198.51.100.{n + 1}",
            )
        assert response.status_code == 200
        assert "Check your email" in response.content.decode()

    assert pagecache.generation() == before
    for url in urls:
        assert client.get(url)["X-Page-Cache"] == "hit", url
    for url in urls:
        assert member.get(url).status_code == 200
    assert len(builds) == kept_parts  # every shared part served from its kept copy
    assert _csv(client)[0] is True


def test_a_case_changed_through_its_service_renews_the_pages_that_show_cases(client, county):
    case = county["case"]
    overview, case_list = reverse("home"), reverse("optouts:list")
    directory = reverse("jurisdictions:list")
    for url in (overview, case_list, directory):
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit"
    _, first_csv = _csv(client)
    assert _csv(client)[0] is True
    plan = pagecache.generation("plan")

    services.optout_withdraw(
        case_id=case.pk, user=county["member"], reason="The board voted to stay in."
    )

    assert pagecache.generation("plan") == plan
    for url in (overview, case_list):
        assert client.get(url)["X-Page-Cache"] == "miss", url
    assert "Withdrawn" in client.get(case_list).content.decode()
    from_copy, csv = _csv(client)
    assert from_copy is False and csv != first_csv and b"withdrawn" in csv.lower()
    # The directory shows the plan only: a case's move leaves its copy alone.
    assert client.get(directory)["X-Page-Cache"] == "hit"


def test_a_plan_change_renews_the_directory_and_the_pages_that_show_the_plan(client, county):
    import datetime

    directory = reverse("jurisdictions:list")
    client.get(directory)
    client.get(reverse("home"))
    cases = pagecache.generation("cases")
    jurisdiction_plan_update(
        jurisdiction_id=county["jurisdiction"].pk,
        reason="ICE's new schedule",
        scheduled_activation=datetime.date(2031, 5, 4),
    )
    assert pagecache.generation("cases") == cases
    response = client.get(directory)
    assert response["X-Page-Cache"] == "miss"
    assert "May 4, 2031" in response.content.decode()
    assert client.get(reverse("home"))["X-Page-Cache"] == "miss"


def test_saves_outside_the_services_renew_nothing(county):
    """Rows saved behind the services' back (a follow, a history row) start no generation."""
    from public.models import Follow

    before = pagecache.generation()
    Follow.objects.create(email="quiet@example.org", case=county["case"])
    county["case"].history.first().save()
    assert pagecache.generation() == before


def test_an_admin_edit_renews_what_it_changed(rf, county):
    from django.contrib import admin

    from jurisdictions.models import Jurisdiction
    from optouts.models import OptOutRequest

    request = rf.post("/admin/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    jurisdiction, case = county["jurisdiction"], county["case"]
    plan, cases = pagecache.generation("plan"), pagecache.generation("cases")
    admin.site._registry[Jurisdiction].save_model(request, jurisdiction, None, True)
    assert pagecache.generation("plan") != plan
    assert pagecache.generation("cases") == cases
    admin.site._registry[OptOutRequest].save_model(request, case, None, True)
    assert pagecache.generation("cases") != cases


def test_a_private_page_keys_its_parts_by_the_viewer_s_scope_itself(rf, county):
    """The view passes nothing: the declaration works out who may share a copy."""
    from django.contrib.auth.models import AnonymousUser

    page = pagecache.CachedPage(kinds=("cases",))
    keys = {}
    for name, user in (
        ("member", county["member"]),
        ("outsider", UserFactory(username="neighbour")),
        ("nobody", AnonymousUser()),
    ):
        request = rf.get("/cases/")
        request.user = user
        keys[name] = page.bind(request).key("fragment")
    assert keys["member"] != keys["outsider"]
    assert keys["outsider"] == keys["nobody"]  # both see the public cases only
    shared = pagecache.CachedPage(kinds=("cases",), private=False)
    request = rf.get("/cases/")
    request.user = county["member"]
    assert shared.bind(request).key("fragment") != keys["member"]
    assert shared.bind(request).scope == pagecache.EVERYONE


def test_a_part_may_not_show_a_kind_its_page_does_not_declare(rf):
    page = pagecache.CachedPage(kinds=("plan",), private=False)
    with pytest.raises(ValueError):
        page.bind(rf.get("/")).key("table", kinds=("cases",))
    with pytest.raises(ValueError):
        pagecache.cached_page(kinds=("everything",))
