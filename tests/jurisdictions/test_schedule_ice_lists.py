"""
Schedules as ICE published them: lists of jurisdictions already activated,
rows for the rest of a state, local agencies, dates known to the month or as
"on or before", bare names shared by a county and a city, and the same file
loaded twice. Through the services and the command line.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jurisdictions.models import Jurisdiction, PlanStatus, ScheduleVersion
from jurisdictions.schedules.checking import schedule_check
from optouts import services
from tests.factories import UserFactory

from .test_schedule_support import D, csv_bytes, directory, snapshot

pytestmark = pytest.mark.django_db

ICE_HEADER = ["State", "County", "FIPS", "Activation Date"]


@pytest.fixture
def places(db):
    found = directory()
    va = found["arlington"].state
    for name, fips, kind in [
        ("Richmond County", "51159", "county"),
        ("Richmond city", "51760", "independent_city"),
    ]:
        found[name], _ = Jurisdiction.objects.get_or_create(
            state=va, name=name, defaults={"fips": fips, "kind": kind}
        )
    return found


def entries(report):
    return {
        e["jurisdiction_id"]: e
        for kind in ("held", "new", "changed", "unchanged")
        for e in report[kind]
    }


def test_an_activation_only_list_sets_the_actual_date_and_keeps_no_scheduled_one(places):
    content = csv_bytes([["CA", "Los Angeles", "06037", "8/27/2010"]], ICE_HEADER)
    report = schedule_check(content=content, file_name="activated.csv")
    assert report["errors"] == [] and report["file_error"] == ""
    [entry] = report["new"]
    assert entry["new_actual"] == "2010-08-27" and entry["new_scheduled"] is None
    assert entry["new_status"] == PlanStatus.ACTIVATED


def test_a_statewide_row_stands_for_every_jurisdiction_not_named_elsewhere(places):
    content = csv_bytes(
        [
            ["VA", "Arlington County", "51013", "9/21/2010"],
            ["VA", "All remaining jurisdictions", "", "3/14/2011"],
        ],
        ICE_HEADER,
    )
    report = schedule_check(content=content, file_name="va.csv")
    assert report["errors"] == []
    found = entries(report)
    assert found[places["arlington"].pk]["new_actual"] == "2010-09-21"
    rest = [e for e in found.values() if e["statewide"]]
    assert {e["jurisdiction"] for e in rest} == {
        "Fairfax County, VA",
        "Fairfax city, VA",
        "Richmond County, VA",
        "Richmond city, VA",
    }
    assert {e["row"] for e in rest} == {3} and {e["new_actual"] for e in rest} == {"2011-03-14"}
    assert report["statewide"] == ["All remaining jurisdictions in Virginia"]


def test_a_two_digit_state_fips_code_is_the_whole_state(places):
    content = csv_bytes([["CA", "", "06", "6/8/2010"]], ICE_HEADER)
    report = schedule_check(content=content, file_name="ca.csv")
    assert report["errors"] == []
    assert len(report["new"]) == 5


def test_a_bare_name_of_a_county_and_a_city_is_refused_naming_both(places):
    before = snapshot()
    content = csv_bytes([["VA", "Richmond", "", "6/8/2010"]], ICE_HEADER)
    report, version = services.schedule_load(file_name="va.csv", content=content)
    assert version is None and snapshot() == before
    [error] = report["errors"]
    assert error["row"] == 2 and error["column"] == "Jurisdiction"
    assert "Richmond County and Richmond city" in error["message"]


def test_a_local_agency_is_matched_to_its_county(places):
    content = csv_bytes(
        [
            ["VA", "Arlington County Police Department", "", "9/21/2010"],
            ["CA", "Los Angeles County Sheriff's Department", "", "8/27/2010"],
        ],
        ICE_HEADER,
    )
    report = schedule_check(content=content, file_name="agencies.csv")
    assert report["errors"] == []
    assert set(entries(report)) == {places["arlington"].pk, places["la"].pk}


def test_dates_known_to_the_month_or_as_on_or_before_keep_their_precision(places):
    content = csv_bytes(
        [
            ["DC", "District of Columbia", "", "", "on or before 12/16/2009"],
            ["CA", "Santa Clara", "", "November 2010", ""],
        ]
    )
    report, version = services.schedule_load(file_name="vague.csv", content=content)
    assert version is not None, report["errors"]
    dc = Jurisdiction.objects.get(pk=places["dc"].pk)
    assert (dc.actual_activation, dc.actual_activation_precision) == (
        D(2009, 12, 16),
        "on_or_before",
    )
    santa_clara = Jurisdiction.objects.get(pk=places["santa_clara"].pk)
    assert santa_clara.scheduled_activation == D(2010, 11, 1)
    assert santa_clara.scheduled_activation_precision == "month"


@pytest.mark.parametrize(
    "rows, column, message",
    [
        ([["CA", "Los Angeles", "", ""]], "Actual activation date", "activation date is missing"),
        ([["CA", "Los Angeles", "", "13/2010"]], "Actual activation date", "no month 13"),
        ([["CA", "Gotham", "06", "6/8/2010"]], "FIPS code", "a state's FIPS code"),
        ([["CA", "All remaining", "51", "6/8/2010"]], "FIPS code", "not California's"),
        (
            [["CA", "All remaining", "", "6/8/2010"], ["California", "statewide", "", "6/9/2010"]],
            "Jurisdiction",
            "already on row 2",
        ),
    ],
)
def test_bad_rows_of_an_ice_list_name_the_row_and_field_and_write_nothing(
    places, rows, column, message
):
    before = snapshot()
    report, version = services.schedule_load(
        file_name="bad.csv", content=csv_bytes(rows, ICE_HEADER)
    )
    assert version is None and snapshot() == before
    assert any(e["column"] == column and message in e["message"] for e in report["errors"]), report[
        "errors"
    ]


def test_a_file_without_any_date_column_is_refused(places):
    report = schedule_check(
        content=csv_bytes([["CA", "LA"]], ["State", "County"]), file_name="x.csv"
    )
    assert "Missing: Scheduled activation date" in report["file_error"]


# --- resolutions ------------------------------------------------------------------------------


@pytest.fixture
def removed(places):
    """Arlington was taken off the plan by the resolution of its request."""
    from optouts.models import OptOutRequest

    arlington = places["arlington"]
    Jurisdiction.objects.filter(pk=arlington.pk).update(
        plan_status=PlanStatus.REMOVED, scheduled_activation=D(2010, 9, 21)
    )
    case = OptOutRequest.objects.create(
        jurisdiction=arlington,
        requesting_official="County Board",
        requesting_body="county_board" if False else "sheriff",
        stage="resolved",
        outcome="removed",
        opened_on=D(2010, 9, 1),
        closed_on=D(2010, 10, 1),
    )
    return arlington, case


def test_a_row_putting_back_a_removed_county_is_held_naming_the_case(removed):
    arlington, case = removed
    content = csv_bytes([["VA", "Arlington", "51013", "11/2/2010", ""]])
    report = schedule_check(content=content, file_name="va.csv")
    [held] = report["held"]
    assert held["old_status"] == PlanStatus.REMOVED and held["new_status"] == PlanStatus.SCHEDULED
    [hold] = held["holds"]
    assert hold["code"] == "removed" and f"request no. {case.pk}" in hold["message"]
    assert "Removed from the deployment plan" in hold["message"]
    assert report["new"] == report["changed"] == []


def test_a_held_row_is_applied_only_when_confirmed(removed):
    arlington, case = removed
    content = csv_bytes(
        [
            ["VA", "Arlington", "51013", "11/2/2010", ""],
            ["CA", "Los Angeles", "06037", "8/27/2010", ""],
        ]
    )
    report, version = services.schedule_load(file_name="va.csv", content=content)
    assert version is not None
    assert Jurisdiction.objects.get(pk=arlington.pk).plan_status == PlanStatus.REMOVED
    assert Jurisdiction.objects.get(pk=places_la(removed)).scheduled_activation == D(2010, 8, 27)
    assert version.report["held"][0]["confirmed"] is False

    other = csv_bytes([["VA", "Arlington County", "51013", "11/2/2010", ""]])
    report, version = services.schedule_load(
        file_name="va2.csv", content=other, override_resolutions=True
    )
    j = Jurisdiction.objects.get(pk=arlington.pk)
    assert (j.plan_status, j.scheduled_activation) == (PlanStatus.SCHEDULED, D(2010, 11, 2))


def places_la(removed):
    return Jurisdiction.objects.get(fips="06037").pk


def test_a_scheduled_date_after_the_activation_is_held(places):
    Jurisdiction.objects.filter(pk=places["sf"].pk).update(
        actual_activation=D(2010, 6, 8), scheduled_activation=D(2010, 6, 8), plan_status="activated"
    )
    report = schedule_check(
        content=csv_bytes([["CA", "San Francisco", "", "9/1/2010", ""]]), file_name="sf.csv"
    )
    [held] = report["held"]
    assert held["holds"][0]["code"] == "after_actual"


# --- the command line -------------------------------------------------------------------------


def test_the_command_loads_an_ice_activation_list_with_a_statewide_row(places, tmp_path, capsys):
    path = tmp_path / "ice-activated-2011.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["CA", "Los Angeles County", "06037", "8/27/2010"],
                ["CA", "San Francisco", "", "6/8/2010"],
                ["VA", "Arlington County", "51013", "11/2/2010"],
                ["Virginia", "All remaining jurisdictions", "", "3/14/2011"],
            ],
            ICE_HEADER,
        )
    )
    before = snapshot()
    call_command("load_schedule", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "4 rows — new: 7" in out and "errors: 0" in out
    assert "All remaining jurisdictions in Virginia" in out and "Dry run" in out
    assert snapshot() == before

    UserFactory(username="ada")
    call_command("load_schedule", str(path), "--user", "ada")
    out = capsys.readouterr().out
    assert "Applied as schedule no." in out
    assert Jurisdiction.objects.get(fips="51760").actual_activation == D(2011, 3, 14)
    assert Jurisdiction.objects.get(fips="51013").actual_activation == D(2010, 11, 2)
    after = snapshot()

    call_command("load_schedule", str(path))
    out = capsys.readouterr().out
    assert "already applied" in out and "nothing was written" in out
    assert snapshot() == after
    assert ScheduleVersion.objects.count() == 1


def test_the_command_lists_held_rows_and_applies_them_only_when_told(removed, tmp_path, capsys):
    arlington, case = removed
    path = tmp_path / "va.csv"
    path.write_bytes(csv_bytes([["VA", "Arlington County", "51013", "11/2/2010"]], ICE_HEADER))
    call_command("load_schedule", str(path))
    out = capsys.readouterr().out
    assert "would override a resolution" in out and f"request no. {case.pk}" in out
    assert "not applied without --override-resolutions" in out
    assert Jurisdiction.objects.get(pk=arlington.pk).plan_status == PlanStatus.REMOVED

    path.write_bytes(csv_bytes([["VA", "Arlington", "51013", "11/2/2010"]], ICE_HEADER))
    call_command("load_schedule", str(path), "--override-resolutions")
    assert Jurisdiction.objects.get(pk=arlington.pk).plan_status == PlanStatus.ACTIVATED


def test_the_command_refuses_a_bad_row_naming_it(places, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([["VA", "Fairfax", "", "6/8/2010"]], ICE_HEADER))
    before = snapshot()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("load_schedule", str(path))
    err = capsys.readouterr().err
    assert "row 2, Jurisdiction" in err and "Fairfax County and Fairfax city" in err
    assert snapshot() == before
