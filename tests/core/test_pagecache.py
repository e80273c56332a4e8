import pytest
from django.core.cache import cache
from django.urls import reverse

from optouts import services
from tests.factories import JurisdictionFactory, UserFactory, case_with_notice_sent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


def sent_case():
    user = UserFactory()
    case = case_with_notice_sent(jurisdiction=JurisdictionFactory(name="Cached County"), user=user)
    return case, user


def test_an_anonymous_visitor_gets_a_cached_copy_without_queries(client, django_assert_num_queries):
    case, _ = sent_case()
    page = case.jurisdiction.get_absolute_url()
    first = client.get(page)
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(page)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "script-src 'self'" in second["Content-Security-Policy"]


def test_a_change_through_the_site_is_seen_at_once(client):
    case, user = sent_case()
    assert client.get(reverse("optouts:list"))["X-Page-Cache"] == "miss"
    assert client.get(reverse("optouts:list"))["X-Page-Cache"] == "hit"
    services.optout_withdraw(case_id=case.pk, user=user, reason="The board voted to stay in.")
    response = client.get(reverse("optouts:list"))
    assert response["X-Page-Cache"] == "miss"
    assert "Withdrawn" in response.content.decode()


def test_signed_in_users_and_forms_are_never_cached(client):
    case, user = sent_case()
    client.force_login(user)
    response = client.get(case.get_absolute_url())
    assert "X-Page-Cache" not in response
    client.logout()
    response = client.get(reverse("login"))
    assert "X-Page-Cache" not in response


def test_only_the_listed_public_pages_are_cached(client, settings):
    response = client.get(reverse("healthz"))
    assert "X-Page-Cache" not in response
    response = client.get(reverse("jurisdictions:list"))
    assert response["X-Page-Cache"] == "miss"


def test_the_public_case_page_carries_no_form_and_is_cached(client):
    case, _ = sent_case()
    first = client.get(case.get_absolute_url())
    assert "csrfmiddlewaretoken" not in first.content.decode()
    assert first["X-Page-Cache"] == "miss"
    assert client.get(case.get_absolute_url())["X-Page-Cache"] == "hit"
    confirm = client.get(reverse("correspondence:export_create", args=[case.pk]), {"kind": "zip"})
    assert confirm.status_code == 200
    assert "csrfmiddlewaretoken" in confirm.content.decode()


def test_the_csv_export_is_built_once_per_change(client, django_assert_num_queries):
    case, user = sent_case()
    first = b"".join(client.get("/cases.csv").streaming_content)
    assert b"Cached County" in first
    with django_assert_num_queries(0):
        second = client.get("/cases.csv")
    assert second.content == first
    services.optout_withdraw(case_id=case.pk, user=user, reason="The board voted to stay in.")
    third = b"".join(client.get("/cases.csv").streaming_content)
    assert b"withdrawn" in third.lower() and third != first


def test_a_signed_in_user_gets_the_kept_csv_compressed_once(client, django_assert_max_num_queries):
    import gzip

    case, user = sent_case()
    first = b"".join(client.get("/cases.csv").streaming_content)
    client.force_login(user)
    with django_assert_max_num_queries(2):  # at most the session and the user
        zipped = client.get("/cases.csv", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    assert "X-Page-Cache" not in zipped  # not the page cache: the export's own copy
    assert gzip.decompress(zipped.content) == first


def test_compressed_and_plain_copies_are_kept_apart(client):
    import gzip

    case, _ = sent_case()
    url = case.get_absolute_url()
    zipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    hit = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert hit["X-Page-Cache"] == "hit" and hit["Content-Encoding"] == "gzip"
    plain = client.get(url)
    assert "Content-Encoding" not in plain
    assert plain["X-Page-Cache"] == "miss"
    assert "Cached County" in gzip.decompress(hit.content).decode()
    assert "Cached County" in plain.content.decode()


def test_a_signed_in_user_gets_the_map_drawn_once_per_change(client, django_assert_max_num_queries):
    from public import views

    case, user = sent_case()
    client.force_login(user)
    drawn = []
    original = views._map_context
    views._map_context = lambda rows: drawn.append(1) or original(rows)
    try:
        client.get(reverse("home"))
        client.get(reverse("public:map"))
        assert len(drawn) == 1
        services.optout_withdraw(case_id=case.pk, user=user, reason="The board voted to stay in.")
        client.get(reverse("public:map"))
        assert len(drawn) == 2
    finally:
        views._map_context = original


def test_made_up_parameters_and_searches_are_built_not_kept(client):
    sent_case()
    kept = client.get(reverse("optouts:list") + "?stage=open")
    assert kept["X-Page-Cache"] == "miss"
    assert client.get(reverse("optouts:list") + "?stage=open")["X-Page-Cache"] == "hit"
    for query in ("?junk=1", "?stage=open&utm=x", "?q=Cached", "?state=" + "C" * 50):
        response = client.get(reverse("optouts:list") + query)
        assert response.status_code == 200
        assert "X-Page-Cache" not in response, query


def test_a_missing_copy_is_built_once_while_the_others_wait_for_it(monkeypatch):
    import threading

    from core import pagecache

    builds = []
    assert pagecache.kept("scomm:test:a", lambda: builds.append(1) or "built") == "built"
    assert pagecache.kept("scomm:test:a", lambda: builds.append(1) or "again") == "built"
    assert builds == [1]
    # Another request holds the build: this one waits and takes its copy.
    assert pagecache.claim("scomm:test:b")
    threading.Timer(0.2, lambda: cache.set("scomm:test:b", "theirs", 60)).start()
    assert pagecache.kept("scomm:test:b", lambda: "mine") == "theirs"
    # A builder that never finishes holds nobody up for long.
    monkeypatch.setattr(pagecache, "BUILD_WAIT_SECONDS", 0.2)
    assert pagecache.claim("scomm:test:c")
    assert pagecache.kept("scomm:test:c", lambda: "mine") == "mine"


def test_the_csv_being_written_elsewhere_is_served_from_that_copy(
    client, rf, django_assert_num_queries
):
    import gzip
    import threading

    from core import pagecache
    from public import views

    sent_case()
    key = views.cases_csv.cached_page.bind(rf.get("/cases.csv")).key("cases.csv.gz")
    assert pagecache.claim(key)
    # The file is kept compressed; a client that takes no gzip gets it expanded.
    kept = gzip.compress(b"id,url\r\n")
    threading.Timer(0.2, lambda: cache.set(key, kept, 60)).start()
    with django_assert_num_queries(0):
        response = client.get("/cases.csv?v=1")  # a parameter the file does not read
    assert response.content == b"id,url\r\n"
    pagecache.release(key)
    assert pagecache.claim(key)  # released: the next build may start
