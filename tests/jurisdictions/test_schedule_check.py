"""Every kind of bad row gets its row number, its column and a clear reason, and writes nothing."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from jurisdictions.schedules.checking import schedule_check
from jurisdictions.schedules.services import schedule_load

from .test_schedule_support import csv_bytes, directory, snapshot, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(db):
    return directory()


GOOD = ["CA", "Los Angeles County", "06037", "2010-08-27", ""]
FUTURE = (datetime.date.today() + datetime.timedelta(days=30)).strftime("%m/%d/%Y")

BAD_ROWS = [
    ("unknown state", ["Calfornia", "Los Angeles", "", "6/8/2010", ""], "State", "is not a state"),
    ("empty state", ["", "Los Angeles", "", "6/8/2010", ""], "State", "state is missing"),
    (
        "unknown jurisdiction",
        ["CA", "Gotham County", "", "6/8/2010", ""],
        "Jurisdiction",
        "No jurisdiction named “Gotham County” in California",
    ),
    (
        "ambiguous name",
        ["CA", "Example", "", "6/8/2010", ""],
        "Jurisdiction",
        "matches 2 jurisdictions in California: Example County and Example Parish",
    ),
    (
        "impossible date",
        ["CA", "Los Angeles", "", "2/30/2010", ""],
        "Scheduled activation date",
        "February 2010 has no day 30",
    ),
    (
        "no month 13",
        ["CA", "Los Angeles", "", "13/8/2010", ""],
        "Scheduled activation date",
        "no month 13",
    ),
    (
        "not a date",
        ["CA", "Los Angeles", "", "next spring", ""],
        "Scheduled activation date",
        "is not a date",
    ),
    (
        "no scheduled date",
        ["CA", "Los Angeles", "", "", ""],
        "Scheduled activation date",
        "scheduled activation date is missing",
    ),
    (
        "actual date in the future",
        ["CA", "Los Angeles", "", "6/8/2010", FUTURE],
        "Actual activation date",
        "is in the future",
    ),
    (
        "fips in another state",
        ["VA", "Los Angeles", "06037", "6/8/2010", ""],
        "FIPS code",
        "FIPS code 06037 is Los Angeles County in California, not in Virginia",
    ),
    (
        "fips not five digits",
        ["CA", "Los Angeles", "6O37", "6/8/2010", ""],
        "FIPS code",
        "five digits",
    ),
    (
        "fips disagrees with name",
        ["CA", "San Francisco", "06999", "6/8/2010", ""],
        "FIPS code",
        "has FIPS code 06075, not 06999",
    ),
    (
        "unknown fips, no name",
        ["CA", "", "06999", "6/8/2010", ""],
        "FIPS code",
        "No jurisdiction has FIPS code 06999",
    ),
]


@pytest.mark.parametrize(
    "row, column, why", [b[1:] for b in BAD_ROWS], ids=[b[0] for b in BAD_ROWS]
)
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_bad_row_is_reported_with_row_column_and_reason_and_nothing_is_written(
    places, row, column, why, kind
):
    content = (xlsx_bytes if kind == "xlsx" else csv_bytes)([GOOD, row])
    before = snapshot()
    report, version = schedule_load(file_name=f"plan.{kind}", content=content)
    assert version is None
    assert snapshot() == before
    assert report["counts"]["errors"] == 1
    assert len(report["errors"]) >= 1
    error = report["errors"][0]
    assert error["row"] == 3
    assert error["column"] == column
    assert why in error["message"]
    # The good row is still previewed, but nothing is applied: all rows or none.
    assert [e["jurisdiction"] for e in report["new"]] == ["Los Angeles County, CA"]


def test_a_duplicated_row_names_the_row_it_repeats(places):
    content = csv_bytes([GOOD, ["CA", "San Francisco", "", "6/8/2010", ""], GOOD])
    before = snapshot()
    report, version = schedule_load(file_name="plan.csv", content=content)
    assert version is None and snapshot() == before
    assert report["errors"] == [
        {
            "row": 4,
            "column": "Jurisdiction",
            "value": "Los Angeles County",
            "message": "Los Angeles County, CA is already on row 2: each jurisdiction appears once.",
        }
    ]


def test_the_same_jurisdiction_by_fips_and_by_name_is_a_duplicate(places):
    content = csv_bytes([GOOD, ["California", "Los Angeles", "", "June 8, 2010", ""]])
    report = schedule_check(content=content, file_name="plan.csv")
    assert "already on row 2" in report["errors"][0]["message"]


def test_a_row_with_several_mistakes_lists_each_and_counts_once(places):
    content = csv_bytes([GOOD, ["Atlantis", "Nowhere", "123", "2/31/2010", "soon"]])
    report = schedule_check(content=content, file_name="plan.csv")
    columns = {e["column"] for e in report["errors"]}
    assert columns == {"State", "FIPS code", "Scheduled activation date", "Actual activation date"}
    assert report["counts"]["errors"] == 1
    assert {e["row"] for e in report["errors"]} == {3}


def test_the_fips_code_tells_apart_names_that_are_ambiguous(places):
    places["example_county"].fips = "06901"
    places["example_county"].save()
    content = csv_bytes([["CA", "Example", "06901", "6/8/2010", ""]])
    report = schedule_check(content=content, file_name="plan.csv")
    assert report["errors"] == []
    assert report["new"][0]["jurisdiction_id"] == places["example_county"].pk


def test_county_and_city_of_the_same_name_are_told_apart(places):
    content = csv_bytes(
        [
            ["Virginia", "Fairfax County", "", "6/8/2010", ""],
            ["Virginia", "Fairfax City", "", "7/8/2010", ""],
            ["VA", "City of Fairfax", "", "7/8/2010", ""],
        ]
    )
    report = schedule_check(content=content, file_name="plan.csv")
    assert [e["jurisdiction_id"] for e in report["new"]] == [
        places["fairfax"].pk,
        places["fairfax_city"].pk,
    ]
    assert report["errors"][0]["row"] == 4
    assert "already on row 3" in report["errors"][0]["message"]


def test_washington_dc_is_found_by_its_usual_names(places):
    content = csv_bytes([["D.C.", "District of Columbia", "", "6/8/2010", ""]])
    assert schedule_check(content=content, file_name="p.csv")["errors"] == []
    content = csv_bytes([["Washington, DC", "District of Columbia", "", "6/8/2010", ""]])
    assert schedule_check(content=content, file_name="p.csv")["errors"] == []


@pytest.mark.parametrize(
    "content, why",
    [
        (b"", "is empty"),
        (b"%PDF-1.4 not a schedule", "is not a spreadsheet"),
        (csv_bytes([["CA", "LA"]], ["State", "County"]), "Missing: Scheduled activation date"),
        (csv_bytes([]), "no jurisdiction below them"),
    ],
    ids=["empty", "pdf", "wrong-columns", "header-only"],
)
def test_a_file_that_is_not_a_schedule_writes_nothing_and_says_why(places, content, why):
    before = snapshot()
    report, version = schedule_load(file_name="upload.csv", content=content)
    assert version is None and snapshot() == before
    assert why in report["file_error"]


def test_the_command_prints_counts_and_every_error_and_exits_non_zero(places, tmp_path, capsys):
    path = tmp_path / "plan.csv"
    path.write_bytes(
        csv_bytes(
            [
                GOOD,
                ["Calfornia", "Los Angeles", "", "6/8/2010", ""],
                ["CA", "Gotham", "", "6/8/2010", ""],
            ],
            bom=True,
        )
    )
    before = snapshot()
    with pytest.raises(CommandError) as info:
        call_command("load_schedule", str(path))
    assert info.value.returncode == 1
    assert "nothing was written" in str(info.value)
    out, err = capsys.readouterr()
    assert "new: 1, changed: 0, unchanged: 0, errors: 2" in out
    assert "row 3, State: “Calfornia” is not a state" in err
    assert "row 4, Jurisdiction: No jurisdiction named “Gotham”" in err
    assert snapshot() == before


def test_the_command_refuses_a_file_that_is_not_a_spreadsheet(places, tmp_path, capsys):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    before = snapshot()
    with pytest.raises(CommandError) as info:
        call_command("load_schedule", str(path), "--dry-run")
    assert info.value.returncode == 1
    assert "is not a spreadsheet" in capsys.readouterr().err
    assert snapshot() == before


def test_the_command_dry_run_counts_and_writes_nothing(places, tmp_path, capsys):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(xlsx_bytes([GOOD, ["CA", "San Francisco", "", datetime.date(2010, 6, 8), ""]]))
    before = snapshot()
    call_command("load_schedule", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "new: 2, changed: 0, unchanged: 0, errors: 0" in out
    assert "Dry run: nothing was written" in out
    assert snapshot() == before


def test_the_command_applies_a_clean_file(places, tmp_path, capsys):
    from jurisdictions.models import ScheduleVersion

    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes([GOOD]))
    call_command("load_schedule", str(path))
    out = capsys.readouterr().out
    assert "new: 1" in out and "Applied as schedule no." in out
    places["la"].refresh_from_db()
    assert places["la"].scheduled_activation == datetime.date(2010, 8, 27)
    version = ScheduleVersion.objects.get()
    assert version.source == "command" and version.status == "applied"
    assert version.file_name == "plan.csv" and version.new_count == 1


def test_the_command_says_when_the_file_is_missing(tmp_path):
    with pytest.raises(CommandError, match="No file at"):
        call_command("load_schedule", str(tmp_path / "nope.csv"))


def test_the_example_schedule_shipped_with_the_code_loads_against_the_census(tmp_path, capsys):
    from jurisdictions.services import FIXTURES, directory_load_census

    directory_load_census()
    call_command("load_schedule", str(FIXTURES / "schedules" / "example.csv"), "--dry-run")
    assert "6 rows — new: 6, changed: 0, unchanged: 0, errors: 0" in capsys.readouterr().out
