"""
The shared parts of pages kept for signed-in users (core/fragments.py): the
same for everyone who may see the same cases, never anything of one person's.
"""

import pytest
from django.urls import reverse

from optouts import services
from optouts.models import OptOutRequest
from tests.factories import (
    JurisdictionFactory,
    MembershipFactory,
    UserFactory,
    case_with_notice_sent,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture
def county():
    """A county with a filed case and a draft only its own people may see."""
    jurisdiction = JurisdictionFactory(name="Fragment County")
    member = MembershipFactory(jurisdiction=jurisdiction, user=UserFactory(username="deputy")).user
    case = case_with_notice_sent(jurisdiction=jurisdiction, user=member)
    draft_home = JurisdictionFactory(name="Drafting County", state=jurisdiction.state)
    MembershipFactory(jurisdiction=draft_home, user=member)
    OptOutRequest.objects.create(
        jurisdiction=draft_home, requesting_official="Sheriff Draft", requesting_body="sheriff"
    )
    return {"member": member, "case": case}


def test_a_draft_stays_with_its_county_when_lists_are_kept(client, county):
    outsider = UserFactory(username="neighbour")
    client.force_login(county["member"])
    assert "Drafting County" in client.get(reverse("optouts:list")).content.decode()
    # Same URL, another scope: the member's copy must not be served.
    client.force_login(outsider)
    body = client.get(reverse("optouts:list")).content.decode()
    assert "Drafting County" not in body
    assert "Fragment County" in body
    client.logout()
    assert "Drafting County" not in client.get(reverse("optouts:list")).content.decode()


def test_a_kept_part_carries_nobody_s_name_or_token(client, county, monkeypatch):
    from core import fragments

    kept = []
    render = fragments.render_to_string
    monkeypatch.setattr(
        fragments, "render_to_string", lambda *a, **kw: kept.append(render(*a, **kw)) or kept[-1]
    )
    client.force_login(county["member"])
    for name in ("home", "optouts:list", "jurisdictions:list"):
        client.get(reverse(name))  # builds and keeps the shared part
        client.get(reverse(name))  # served from the kept copy
    # The overview's figures and its "needs your attention", the case list, the jurisdiction table.
    assert len(kept) == 4
    for html in kept:
        assert "csrfmiddlewaretoken" not in html
        assert "deputy" not in html
    # The pages around them are still the member's own.
    body = client.get(reverse("optouts:list")).content.decode()
    assert "Sign out deputy" in body
    assert "csrfmiddlewaretoken" in body


def test_a_change_shows_at_once_to_signed_in_users(client, county):
    client.force_login(county["member"])
    before = client.get(reverse("optouts:list")).content.decode()
    assert "badge stage-withdrawn" not in before
    services.optout_withdraw(
        case_id=county["case"].pk, user=county["member"], reason="The board voted to stay in."
    )
    assert "badge stage-withdrawn" in client.get(reverse("optouts:list")).content.decode()


def test_filters_and_pages_are_kept_apart(client, county):
    client.force_login(county["member"])
    everything = client.get(reverse("optouts:list")).content.decode()
    filtered = client.get(reverse("optouts:list") + "?q=Nowhere").content.decode()
    assert "Fragment County" in everything
    assert "Fragment County" not in filtered
    assert "No request matches." in filtered
    assert 'value="Nowhere"' in filtered


def test_signed_in_pages_from_kept_parts_make_few_queries(
    client, county, django_assert_max_num_queries
):
    client.force_login(county["member"])
    for name in ("home", "optouts:list", "jurisdictions:list"):
        client.get(reverse(name))
    # Session, user, memberships, the bell, the reminders of the overview:
    # nothing that grows with the data.
    for name, most in (("home", 5), ("optouts:list", 5), ("jurisdictions:list", 4)):
        with django_assert_max_num_queries(most):
            assert client.get(reverse(name)).status_code == 200


def test_a_new_release_of_the_templates_builds_anew(client, county, monkeypatch):
    from core import fragments

    first = fragments.fragment_part("optouts/_case_list.html")
    monkeypatch.setattr(fragments, "templates_digest", lambda: "another-release")
    assert fragments.fragment_part("optouts/_case_list.html") != first


def test_a_case_page_keeps_internal_notes_with_the_county(client, county):
    from optouts.models import CaseEvent

    case = county["case"]
    services.event_record(
        case_id=case.pk,
        user=county["member"],
        kind=CaseEvent.Kind.NOTE,
        occurred_on=case.opened_on,
        summary="Counsel thinks ICE will not answer before June.",
        is_public=False,
    )
    client.force_login(county["member"])
    own = client.get(case.get_absolute_url()).content.decode()
    assert "Counsel thinks ICE will not answer" in own
    assert 'id="action-withdraw"' in own and "csrfmiddlewaretoken" in own
    client.force_login(UserFactory(username="neighbour"))
    other = client.get(case.get_absolute_url()).content.decode()
    assert "Counsel thinks ICE will not answer" not in other
    assert 'id="action-withdraw"' not in other
    assert 'id="timeline"' in other and "Fragment County" in other


def test_one_kept_list_per_question_however_the_url_is_dressed(client, county, monkeypatch):
    from core import fragments

    built = []
    render = fragments.render_to_string
    monkeypatch.setattr(
        fragments, "render_to_string", lambda *a, **kw: built.append(a[0]) or render(*a, **kw)
    )
    client.force_login(county["member"])
    first = client.get(reverse("optouts:list") + "?stage=open&utm_source=mail")
    again = client.get(reverse("optouts:list") + "?junk=%3Cx%3E&stage=open")
    assert built == ["optouts/_case_list.html"]  # built once, kept for both
    assert "utm_source" not in first.content.decode()
    assert "junk" not in again.content.decode()
    # A free-text search is built every time and never kept.
    client.get(reverse("optouts:list") + "?q=Fragment")
    client.get(reverse("optouts:list") + "?q=Fragment")
    assert built.count("optouts/_case_list.html") == 3


def test_a_page_s_query_keeps_its_declared_parameters_in_order_and_cut(rf):
    from core import pagecache

    page = pagecache.CachedPage(kinds=("cases",), params=("q", "state", "page"), search=("q",))
    bound = page.bind(rf.get("/", {"page": "2", "x": "1", "state": "CA", "q": "a" * 300}))
    assert list(bound.query) == ["q", "state", "page"]
    assert len(bound.query["q"]) == pagecache.LONGEST_READ
    assert "x" not in bound.query
    assert not bound.keep  # a search is built, never kept
    assert not bound.exact  # a made-up parameter: never kept whole
    assert page.bind(rf.get("/", {"state": "CA", "page": "2"})).keep


def test_a_fragment_outside_a_declared_page_is_refused(rf):
    from django.core.exceptions import ImproperlyConfigured

    from core import fragments

    with pytest.raises(ImproperlyConfigured):
        fragments.cached_fragment(rf.get("/"), "public/_overview.html", dict)
