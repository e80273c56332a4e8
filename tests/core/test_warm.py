"""
After a change, the pages most visitors read first are built again by a
worker (core.warm): the first visitor after a change gets a kept copy. Tasks
run in-process here, as the worker would run them.
"""

import gzip
import logging

import pytest
from django.core.cache import cache
from django.urls import reverse

from core import warm
from optouts import services
from tests.factories import JurisdictionFactory, UserFactory, case_with_notice_sent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

HOST = "scomm.example.org"
# The pages a case's withdrawal changes (the jurisdiction list shows the plan only).
HTML_PAGES = ("home", "optouts:list", "public:map")
FILES = ("public:map_svg", "public:cases_csv")


@pytest.fixture
def warming(settings):
    settings.SCOMM_WARM_PAGES = True
    settings.SITE_URL = f"https://{HOST}"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    cache.delete(warm.QUEUED_KEY)


def visit(client, name):
    return client.get(reverse(name), secure=True, HTTP_HOST=HOST, HTTP_ACCEPT_ENCODING="gzip")


def text(response) -> str:
    assert response["Content-Encoding"] == "gzip"  # as browsers ask, and as it is warmed
    return gzip.decompress(response.content).decode()


def withdraw(case, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.optout_withdraw(case_id=case.pk, user=user, reason="The board voted to stay in.")


def a_case():
    user = UserFactory()
    case = case_with_notice_sent(jurisdiction=JurisdictionFactory(name="Warm County"), user=user)
    return case, user


@pytest.mark.parametrize("on", [True, False], ids=["warmed", "not warmed"])
def test_after_a_change_the_first_visitor_gets_kept_pages(
    client, settings, warming, on, django_capture_on_commit_callbacks, django_assert_num_queries
):
    settings.SCOMM_WARM_PAGES = on
    case, user = a_case()
    for name in HTML_PAGES + FILES:
        assert visit(client, name).status_code == 200
    withdraw(case, user, django_capture_on_commit_callbacks)

    for name in HTML_PAGES:
        response = visit(client, name)
        assert response.status_code == 200
        assert response["X-Page-Cache"] == ("hit" if on else "miss"), name
    if on:
        # The files are kept too: no query.
        for name in FILES:
            with django_assert_num_queries(0):
                assert visit(client, name).status_code == 200


def test_the_kept_list_shows_the_change_it_was_warmed_for(
    client, warming, django_capture_on_commit_callbacks
):
    case, user = a_case()
    assert "badge stage-withdrawn" not in text(visit(client, "optouts:list"))
    withdraw(case, user, django_capture_on_commit_callbacks)
    response = visit(client, "optouts:list")
    assert response["X-Page-Cache"] == "hit"
    assert "badge stage-withdrawn" in text(response)


def test_a_burst_of_changes_queues_one_warm_up(monkeypatch, warming):
    from core import tasks

    queued = []
    monkeypatch.setattr(tasks.pages_warm, "apply_async", lambda **kw: queued.append(kw))
    for _ in range(3):
        warm.warm_soon()
    assert len(queued) == 1
    warm.warm_pages()  # started: the next change queues the next one
    warm.warm_soon()
    assert len(queued) == 2


def test_a_broker_that_is_down_never_fails_the_change(
    client, monkeypatch, warming, caplog, django_capture_on_commit_callbacks
):
    from core import tasks

    def down(**kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.pages_warm, "apply_async", down)
    case, user = a_case()
    with caplog.at_level(logging.WARNING, logger="core.warm"):
        withdraw(case, user, django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.stage == "withdrawn"
    assert "Pages not warmed after a change" in caplog.text
    assert cache.get(warm.QUEUED_KEY) is None  # the next change tries again
    # The page is built by its first visitor, as without warming.
    assert visit(client, "optouts:list")["X-Page-Cache"] == "miss"


def test_a_page_that_fails_leaves_the_others_warm(client, settings, warming, caplog):
    settings.SCOMM_WARM_PAGE_NAMES = ("no:such-page", "healthz", "optouts:list")
    with caplog.at_level(logging.WARNING, logger="core.warm"):
        done = warm.warm_pages()
    assert done == {reverse("healthz"): 200, reverse("optouts:list"): 200}
    assert "Page to keep warm not found: no:such-page" in caplog.text
    assert visit(client, "optouts:list")["X-Page-Cache"] == "hit"


def test_nothing_is_warmed_with_the_page_cache_off(client, settings, warming, monkeypatch):
    from core import tasks

    settings.SCOMM_PAGE_CACHE_SECONDS = 0
    monkeypatch.setattr(tasks.pages_warm, "apply_async", lambda **kw: pytest.fail("queued"))
    warm.warm_soon()
    assert warm.warm_pages() == {}


def test_warm_pages_by_hand_after_a_deployment(client, settings):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.SITE_URL = f"https://{HOST}"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    out = StringIO()
    call_command("warm_pages", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == ["200"] * len(settings.SCOMM_WARM_PAGE_NAMES)
    assert lines[0].endswith(" /")
    assert visit(client, "home")["X-Page-Cache"] == "hit"

    settings.SITE_URL = "https://elsewhere.example.net"
    with pytest.raises(CommandError, match="elsewhere.example.net is not in ALLOWED_HOSTS"):
        call_command("warm_pages", stdout=StringIO())

    settings.SCOMM_PAGE_CACHE_SECONDS = 0
    with pytest.raises(CommandError, match="page cache is off"):
        call_command("warm_pages", stdout=StringIO())


@pytest.mark.services
def test_a_real_worker_warms_the_pages_after_a_change(client, settings, celery_worker_process):
    """On the production stack: the change's commit queues the warm-up, a worker builds the pages."""
    import time

    from core.generations import generation

    settings.SCOMM_PAGE_CACHE_SECONDS = 60
    settings.SCOMM_WARM_PAGES = True
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    cache.clear()
    celery_worker_process.start(
        {
            "SCOMM_SITE_URL": f"https://{HOST}",
            "DJANGO_ALLOWED_HOSTS": HOST,
            "SCOMM_PAGE_CACHE_SECONDS": "60",
        }
    )
    case, user = a_case()
    services.optout_withdraw(case_id=case.pk, user=user, reason="The board voted to stay in.")
    now = generation()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (warm.last() or {}).get("generation") != now:
        time.sleep(0.2)
    assert warm.last() == {
        "generation": now,
        "pages": {path: 200 for path in warm.paths()},
    }
    response = visit(client, "optouts:list")
    assert response["X-Page-Cache"] == "hit"
    assert "badge stage-withdrawn" in text(response)


def test_behind_the_https_redirect_pages_are_warmed_where_visitors_end_up(client, settings):
    settings.SITE_URL = f"http://{HOST}"
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    assert warm.get(reverse("home")) == 200  # not the redirect
    assert visit(client, "home")["X-Page-Cache"] == "hit"


def test_a_site_address_the_site_would_refuse_is_said_once_not_asked(settings, warming, caplog):
    settings.SITE_URL = "https://elsewhere.example.net"
    with caplog.at_level(logging.WARNING):
        assert warm.warm_pages() == {}
    assert "elsewhere.example.net is not in ALLOWED_HOSTS" in caplog.text
    assert "Invalid HTTP_HOST" not in caplog.text


def test_when_the_cache_is_back_every_page_moves_on_and_is_warmed_again(monkeypatch, warming):
    from core import generations, tasks

    queued = []
    monkeypatch.setattr(tasks.pages_warm, "apply_async", lambda **kw: queued.append(kw))
    before = generations.generation()
    generations._bump_all()  # the hook core.cache runs once Redis answers again
    assert generations.generation() != before
    assert len(queued) == 1
