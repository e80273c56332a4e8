"""The feeds as a feed reader sees them (feedparser): text summaries, stable ids, 304s."""

import feedparser
import pytest
from django.urls import reverse

from optouts import services as optouts
from public.feeds import tag_uri
from tests.factories import UserFactory

TYPED = (
    'Met the sheriff. <a href="http://evil.example/x">Minutes</a>'
    '<img src="http://tracker.example/pixel.gif">'
)


def _typed_note(case):
    return optouts.event_record(
        case_id=case.pk, user=UserFactory(), kind="note", summary=TYPED, is_public=True
    )


@pytest.mark.django_db
def test_a_typed_summary_reaches_the_reader_as_text_never_as_a_link_or_an_image(
    client, public_case
):
    note = _typed_note(public_case)
    body = client.get(reverse("public:feed_case", args=[public_case.pk])).content
    assert b'<summary type="text">' in body and b'type="html"' not in body
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    entry = next(e for e in feed.entries if e.id == tag_uri(f"case-event/{note.pk}"))
    assert entry.summary_detail.type == "text/plain"
    assert entry.summary == TYPED  # the characters typed, shown as such
    links = [link.href for e in feed.entries for link in e.get("links", [])]
    assert not any("evil.example" in href or "tracker.example" in href for href in links)


@pytest.mark.django_db
def test_ids_are_tag_uris_that_do_not_depend_on_the_host(client, public_case, settings):
    settings.ALLOWED_HOSTS = ["*"]
    url = reverse("public:feed_events")
    here = feedparser.parse(client.get(url, HTTP_HOST="scomm.example.org").content)
    there = feedparser.parse(client.get(url, HTTP_HOST="mirror.example.net").content)
    assert here.feed.id == there.feed.id == "tag:scomm,2010:feed/events"
    assert [e.id for e in here.entries] == [e.id for e in there.entries]
    assert all(e.id.startswith("tag:scomm,2010:case-event/") for e in here.entries)
    # The links still lead to the address the reader used.
    assert here.entries[0].link.startswith("http://scomm.example.org/cases/")


@pytest.mark.django_db
def test_an_empty_feed_is_the_same_bytes_at_every_fetch(client, public_case):
    from jurisdictions.models import State

    State.objects.create(postal_code="YQ", name="Quietland", fips="78")
    url = reverse("public:feed_state", args=["YQ"])
    first, second = client.get(url), client.get(url)
    assert first.content == second.content and first["ETag"] == second["ETag"]


@pytest.mark.django_db(transaction=True)
def test_a_feed_reader_fetches_again_and_gets_a_304(live_server, public_case):
    _typed_note(public_case)
    url = live_server.url + reverse("public:feed_case", args=[public_case.pk])
    first = feedparser.parse(url)
    assert first.status == 200 and first.entries
    assert first.etag and first.modified
    assert all(e.summary_detail.type == "text/plain" for e in first.entries)
    again = feedparser.parse(url, etag=first.etag, modified=first.modified)
    assert again.status == 304 and not again.entries
    by_date_only = feedparser.parse(url, modified=first.modified)
    assert by_date_only.status == 304
    # A new public event: the reader gets the feed again.
    optouts.event_record(
        case_id=public_case.pk, user=UserFactory(), kind="reply", summary="ICE replied."
    )
    changed = feedparser.parse(url, etag=first.etag, modified=first.modified)
    assert changed.status == 200 and changed.etag != first.etag
    assert "ICE replied." in [e.summary for e in changed.entries]
