"""
The demo matches the public record: the five cases of 2009–2012, loaded by
`manage.py load_demo`, show their dates of record (with their precision),
their outcomes and their sources on the public case pages (signed out), on
their timelines, in the CSV and in the API; the overview chart and the map
place them in 2009–2012; loading twice doubles nothing. One load serves every
check: loading the whole directory is what takes time.
"""

import csv
import datetime
import html
import io
import re

import pytest
from django.core.management import call_command

from correspondence.models import Letter
from jurisdictions.models import Jurisdiction, StateAgreementEvent
from optouts.models import CaseEvent, Delivery, OptOutRequest
from public import selectors

pytestmark = pytest.mark.django_db

D = datetime.date.fromisoformat
SF, SANTA_CLARA, ARLINGTON, ORANGE, DC = "06075", "06085", "51013", "37135", "11001"


def _load():
    call_command("load_demo", stdout=io.StringIO())


def _counts():
    return tuple(
        model.objects.count()
        for model in (Jurisdiction, OptOutRequest, CaseEvent, Delivery, Letter, StateAgreementEvent)
    )


def _text(response) -> str:
    body = response.content.decode()
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", body).split()))


def _cases() -> dict:
    cases = OptOutRequest.objects.select_related("jurisdiction")
    return {
        "sf": cases.get(jurisdiction__fips=SF, reopens__isnull=True),
        "sf2": cases.get(jurisdiction__fips=SF, reopens__isnull=False),
        "santa_clara": cases.get(jurisdiction__fips=SANTA_CLARA),
        "arlington": cases.get(jurisdiction__fips=ARLINGTON),
        "orange": cases.get(jurisdiction__fips=ORANGE),
        "dc": cases.get(jurisdiction__fips=DC),
    }


# What each public case page shows, signed out: its dates as recorded and its outcome.
ON_THE_PAGE = {
    "sf": [
        "Scheduled activation June 1, 2010",
        "Activated June 8, 2010",
        "Opened May 18, 2010",
        "Denied / activated as scheduled",
        "Edmund G. Brown Jr., Attorney General of California",
        "May 18, 2010 · Notice sent",
        "Jun 3, 2010 · Notice sent",
        "on or before Jun 7, 2010 · Reply received",
        "Marc Rapp, Deputy Director for Secure Communities",
        "Jun 8, 2010 · Jurisdiction activated",
        "SFGate City Insider, May 18, 2010",
        "Jan 23, 2009 · Agreement signed",
    ],
    "sf2": [
        "Opened Aug 31, 2010",
        "Meeting postponed",
        "it was set for October 13, 2010",
        "until after the November election",
        "David Venturella, Assistant Director, Secure Communities, and Marc A. Rapp",
        "on or before Sep 28, 2010 · Stage changed Meeting scheduled for October 13, 2010",
        "Sep 28, 2010 · Stage changed San Francisco County asked to postpone",
        "Oct 6, 2010 · Note",
        "an opt in/opt out program",
        "Washington Independent, Oct. 6, 2010",
    ],
    "santa_clara": [
        "Activated May 4, 2010",
        "Opened Sep 28, 2010",
        "Refused: participation is mandatory",
        "voted 5-0",
        "County Executive and County Counsel to notify ICE and the California Department",
        "August 2010 · Correspondence",
        "Nov 9, 2010 · Stage changed Resolved: Refused",
        "The day the copy went is not in the record",
        "County of Santa Clara press release, Nov. 10, 2010",
    ],
    "arlington": [
        "Activated June 21, 2010",
        "Opened Sep 28, 2010",
        "The jurisdiction stopped asking",
        "Oct 7, 2010 · Notice sent",
        "Virginia State Police",
        "Nov 5, 2010 · Stage changed The County Manager, the Police Chief",
        "with finality",
        "Time and place not on record",
    ],
    "dc": [
        "Activated June 5, 2012",
        "Opened May 4, 2010",
        "November 2009 · Agreement signed",
        "Chief Cathy L. Lanier",
        "on or before Jul 31, 2010 · Stage changed Resolved: Other",
        "Jun 5, 2012 · Jurisdiction activated",
        "the first in the country to do so formally",
        "the day is not in the record",
    ],
}


def _check_pages(client, cases):
    for key, facts in ON_THE_PAGE.items():
        response = client.get(f"/cases/{cases[key].pk}/")
        assert response.status_code == 200, key
        text = _text(response)
        for fact in facts:
            assert fact in text, (key, fact)
        assert "Internal:" not in text  # an internal note stays internal
    # Orange County sent no notice: its request is a draft, seen by no one signed out;
    # the public sees the county's activation, in January 2009, on its page.
    assert client.get(f"/cases/{cases['orange'].pk}/").status_code == 404
    orange = Jurisdiction.objects.get(fips=ORANGE)
    text = _text(client.get(f"/jurisdictions/{orange.pk}/"))
    assert "January 2009" in text


def _check_timelines(cases):
    def line(case, kind, summary_part=""):
        return next(e for e in case.events.filter(kind=kind) if summary_part in e.summary)

    sf = cases["sf"]
    assert (sf.opened_on, sf.closed_on, sf.outcome) == (D("2010-05-18"), D("2010-06-08"), "denied")
    assert [(d.recipient, d.sent_on) for d in sf.deliveries.order_by("sent_on")] == [
        ("sib", D("2010-05-18")),
        ("ice", D("2010-06-03")),
    ]
    reply = line(sf, "reply", "Marc Rapp")
    assert (reply.occurred_on, reply.date_precision) == (D("2010-06-07"), "on_or_before")
    assert line(sf, "activation").occurred_on == D("2010-06-08")
    assert (
        OptOutRequest.objects.with_activated_while_pending().get(pk=sf.pk).activated_while_pending
    )
    assert all(e.source for e in sf.events.filter(is_public=True, kind__in=["reply", "delivery"]))

    sf2 = cases["sf2"]
    assert (sf2.stage, sf2.opened_on, sf2.meeting_at) == (
        "meeting_postponed",
        D("2010-08-31"),
        None,
    )
    assert sf2.meeting_was_at.date() == D("2010-10-13") and sf2.meeting_change_by == "jurisdiction"
    postponed = sf2.events.get(to_stage="meeting_postponed")
    assert (postponed.occurred_on, postponed.date_precision) == (D("2010-09-28"), "day")
    assert line(sf2, "note", "opt in/opt out").occurred_on == D("2010-10-06")

    sc = cases["santa_clara"]
    assert (sc.outcome, sc.closed_on, sc.requesting_body) == (
        "refused",
        D("2010-11-09"),
        "board_of_supervisors",
    )
    assert sc.is_requested_after_activation
    vote = line(sc, "note", "5-0")
    assert (vote.occurred_on, vote.date_precision) == (D("2010-09-28"), "day")

    arl = cases["arlington"]
    assert (arl.outcome, arl.closed_on) == ("gave_up", D("2010-11-05"))
    held = arl.events.get(to_stage="meeting_held")
    assert held.occurred_on == D("2010-11-05") and "with finality" in held.summary
    assert arl.deliveries.get(recipient="ice").sent_on == D("2010-10-07")

    orange = cases["orange"]
    assert (orange.stage, orange.opened_on) == ("draft", D("2009-01-22"))
    assert not orange.deliveries.exists()  # no notice is on record: none is invented
    answer = line(orange, "reply", "stop fingerprinting")
    assert answer.date_precision == "month" and answer.occurred_on.strftime("%Y-%m") == "2009-01"

    dc = cases["dc"]
    resolved = dc.events.get(to_stage="resolved")
    assert (resolved.occurred_on, resolved.date_precision) == (D("2010-07-31"), "on_or_before")


def _check_plan():
    plan = {
        j.fips: j
        for j in Jurisdiction.objects.filter(fips__in=[SF, SANTA_CLARA, ARLINGTON, ORANGE, DC])
    }
    assert (plan[SF].scheduled_activation, plan[SF].actual_activation) == (
        D("2010-06-01"),
        D("2010-06-08"),
    )
    assert plan[SANTA_CLARA].actual_activation == D("2010-05-04")
    assert plan[ARLINGTON].actual_activation == D("2010-06-21")
    assert plan[ORANGE].actual_activation.strftime("%Y-%m") == "2009-01"
    assert plan[ORANGE].actual_activation_precision == "month"
    assert plan[DC].actual_activation == D("2012-06-05")
    assert all(j.plan_status == "activated" for j in plan.values())
    assert plan[SF].history.filter(history_change_reason__contains="SFGate").exists()
    agreements = {(a.state.postal_code, a.kind): a for a in StateAgreementEvent.objects.all()}
    assert agreements["CA", "signed"].occurred_on == D("2009-01-23")
    assert agreements["DC", "signed"].precision == "month"
    assert agreements["DC", "signed"].occurred_on.strftime("%Y-%m") == "2009-11"


def _check_csv(client, cases):
    response = client.get("/cases.csv")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(content.decode("utf-8-sig")))}
    assert cases["orange"].pk not in rows
    expected = {
        "sf": ("2010-05-18", "2010-06-08", "Denied / activated as scheduled", "2010-06-08"),
        "sf2": ("2010-08-31", "", "", "2010-06-08"),
        "santa_clara": (
            "2010-09-28",
            "2010-11-09",
            "Refused: participation is mandatory",
            "2010-05-04",
        ),
        "arlington": ("2010-09-28", "2010-11-05", "The jurisdiction stopped asking", "2010-06-21"),
        "dc": ("2010-05-04", "2010-07-31", "Other", "2012-06-05"),
    }
    for key, (opened, closed, outcome, activated) in expected.items():
        row = rows[cases[key].pk]
        assert (row["opened_on"], row["closed_on"], row["outcome"], row["actual_activation"]) == (
            opened,
            closed,
            outcome,
            activated,
        ), key
    assert rows[cases["sf"].pk]["scheduled_activation"] == "2010-06-01"
    assert rows[cases["sf2"].pk]["stage"] == "Meeting postponed"


def _check_api(client, cases):
    found = {}
    url = "/api/cases/?page_size=100"
    while url:
        data = client.get(url).json()
        found.update({c["id"]: c for c in data["results"]})
        url = data.get("next")
    assert cases["orange"].pk not in found
    sf = found[cases["sf"].pk]
    assert (sf["opened_on"], sf["closed_on"], sf["outcome"]) == (
        "2010-05-18",
        "2010-06-08",
        "denied",
    )
    assert (sf["scheduled_activation"], sf["actual_activation"]) == ("2010-06-01", "2010-06-08")
    assert sf["activated_while_pending"] is True
    assert found[cases["santa_clara"].pk]["outcome"] == "refused"
    assert found[cases["santa_clara"].pk]["requested_after_activation"] is True
    assert found[cases["arlington"].pk]["outcome"] == "gave_up"
    assert found[cases["sf2"].pk]["stage"] == "meeting_postponed"
    assert found[cases["dc"].pk]["actual_activation"] == "2012-06-05"
    events = client.get(f"/api/events/?case={cases['sf'].pk}").json()["results"]
    reply = next(e for e in events if e["kind"] == "reply")
    assert (reply["occurred_on"], reply["date_precision"]) == ("2010-06-07", "on_or_before")
    assert "Deportation Nation" in reply["source"]


def _check_chart_and_map(client):
    months = [row["month"] for row in selectors.activity_by_month()]
    assert months[0].year == 2009 and months[-1].year == 2012
    assert all(2009 <= m.year <= 2012 for m in months)
    statuses = {r["fips"]: r for r in selectors.map_statuses()}
    for fips in (SF, SANTA_CLARA, ARLINGTON, ORANGE, DC):
        assert 2009 <= statuses[fips]["actual_activation"].year <= 2012
    assert client.get("/").status_code == 200
    assert client.get("/map/?state=DC").status_code == 200


def test_the_demo_holds_the_public_record_and_loading_twice_doubles_nothing(client):
    _load()
    counts = _counts()
    _load()
    assert _counts() == counts
    assert OptOutRequest.objects.count() == 6  # San Francisco twice, then one case each

    cases = _cases()
    _check_timelines(cases)
    _check_plan()
    _check_pages(client, cases)
    _check_csv(client, cases)
    _check_api(client, cases)
    _check_chart_and_map(client)
