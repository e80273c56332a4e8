"""
Atom feeds of the public timeline events: all of them, one case's, one
state's. Internal notes and cases still in draft never appear.

Summaries are what staff typed, so they go out as text (type="text"): a
feed reader shows a typed `<a href>` or `<img src>` as the characters they
are, never as a live link or an image fetched from elsewhere.

Ids are tag URIs (RFC 4151) minted under one tagging entity, TAG_ENTITY,
that never changes: not the host a request came to, nor the release, so a
reader that sees an event again through another address, a renamed site or
a new version knows it has already shown it. "scomm" is the project's name,
2010 the year Secure Communities opt-outs began; the rest names what the id
is for (`case-event/14`, `feed/events`).
"""

import datetime

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from core import pagecache
from jurisdictions.models import State
from optouts.offices import acting_office

from . import selectors

LIMIT = 50
TAG_ENTITY = "scomm,2010"
# An empty feed's <updated>: a fixed moment, so that the feed's bytes (and so
# its ETag) stay the same until an event appears.
EMPTY_FEED_UPDATED = datetime.datetime(2010, 1, 1, tzinfo=datetime.UTC)


def tag_uri(specific: str) -> str:
    """A stable id (RFC 4151) for `specific`, e.g. tag:scomm,2010:case-event/14."""
    return f"tag:{TAG_ENTITY}:{specific}"


class TextAtom1Feed(Atom1Feed):
    """Atom whose entry summaries are plain text (see the module's docstring)."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"]:
            handler.addQuickElement("summary", item["description"], {"type": "text"})

    def latest_post_date(self):
        return super().latest_post_date() if self.items else EMPTY_FEED_UPDATED


# Public events, titled with their jurisdiction's and state's names.
FEED_KINDS = ("cases", "plan")


class _EventFeed(Feed):
    feed_type = TextAtom1Feed
    author_name = "scomm"

    def items(self, obj=None):
        return list(self.events(obj)[:LIMIT])

    def events(self, obj):
        return selectors.public_events()

    def item_title(self, item):
        case = item.request
        what = item.get_kind_display()
        if item.to_stage:
            what = item.get_to_stage_display()
        return f"{case.jurisdiction}: {what}"

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.request.get_absolute_url()

    def item_guid(self, item):
        return tag_uri(f"case-event/{item.pk}")

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.recorded_at

    def item_updateddate(self, item):
        return item.recorded_at

    def item_categories(self, item):
        return [item.get_kind_display(), item.request.jurisdiction.state.postal_code]

    def item_author_name(self, item):
        """Who acted, as the public record names it: the office, never an account."""
        return acting_office(item)


@pagecache.cached_page(kinds=FEED_KINDS, private=False)
class AllEventsFeed(_EventFeed):
    title = "Secure Communities opt-out requests: every public event"
    description = "Notices sent, meetings, resolutions and activations on every case."

    def link(self):
        return reverse("home")

    def feed_guid(self):
        return tag_uri("feed/events")


@pagecache.cached_page(kinds=FEED_KINDS, private=False)
class CaseEventsFeed(_EventFeed):
    def get_object(self, request, pk):
        case = selectors.public_cases().filter(pk=pk).first()
        if case is None:
            raise Http404("No public opt-out request with this number.")
        return case

    def title(self, obj):
        return f"Opt-out request of {obj.jurisdiction}"

    def description(self, obj):
        return f"Every public event on the opt-out request of {obj.jurisdiction}."

    def link(self, obj):
        return obj.get_absolute_url()

    def feed_guid(self, obj):
        return tag_uri(f"feed/case/{obj.pk}")

    def events(self, obj):
        return selectors.public_events().filter(request=obj)


@pagecache.cached_page(kinds=FEED_KINDS, private=False)
class StateEventsFeed(_EventFeed):
    def get_object(self, request, postal_code):
        state = State.objects.filter(postal_code__iexact=postal_code).first()
        if state is None:
            raise Http404("No state with this postal code.")
        return state

    def title(self, obj):
        return f"Opt-out requests in {obj.name}"

    def description(self, obj):
        return f"Every public event on the opt-out requests of {obj.name}'s jurisdictions."

    def link(self, obj):
        return reverse("optouts:list") + f"?state={obj.postal_code}"

    def feed_guid(self, obj):
        return tag_uri(f"feed/state/{obj.postal_code}")

    def events(self, obj):
        return selectors.public_events().filter(request__jurisdiction__state=obj)
