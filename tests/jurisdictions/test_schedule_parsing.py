"""Reading schedule files and their values, as they come in the wild (property-based)."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jurisdictions.schedules.checking import schedule_check
from jurisdictions.schedules.reading import (
    HEADER_ALIASES,
    CellError,
    ScheduleFileError,
    parse_date,
    parse_fips,
    read_table,
)

from .test_schedule_support import HEADER, csv_bytes, directory, xlsx_bytes

dates = st.dates(min_value=datetime.date(2008, 1, 1), max_value=datetime.date(2030, 12, 31))

FORMATS = [
    lambda d: d.isoformat(),
    lambda d: f"{d.month}/{d.day}/{d.year}",
    lambda d: f"{d.month:02d}/{d.day:02d}/{d.year}",
    lambda d: f"{d.month}/{d.day}/{d.year % 100:02d}",
    lambda d: f"{d:%B} {d.day}, {d.year}",
    lambda d: f"{d:%b} {d.day}, {d.year}",
    lambda d: f"{d:%b}. {d.day} {d.year}",
    lambda d: f"{d.day} {d:%B} {d.year}",
    lambda d: f"  {d:%B} {d.day}, {d.year}  ".upper(),
    lambda d: f"{d.isoformat()} 00:00:00",
    lambda d: datetime.datetime(d.year, d.month, d.day),
    lambda d: d,
]


@given(day=dates, fmt=st.sampled_from(FORMATS))
def test_every_usual_way_of_writing_a_date_reads_as_that_date(day, fmt):
    assert parse_date(fmt(day)) == day


@given(day=dates)
def test_an_excel_serial_number_reads_as_its_date(day):
    serial = (day - datetime.date(1899, 12, 30)).days
    assert parse_date(serial) == day
    assert parse_date(float(serial)) == day


@given(
    year=st.integers(2008, 2030),
    month=st.integers(1, 12),
    day=st.integers(29, 31),
    fmt=st.sampled_from(["{m}/{d}/{y}", "{y}-{m:02d}-{d:02d}", "{name} {d}, {y}"]),
)
def test_a_day_the_month_does_not_have_is_refused_with_the_reason(year, month, day, fmt):
    try:
        datetime.date(year, month, day)
    except ValueError:
        pass
    else:
        return
    name = datetime.date(2000, month, 1).strftime("%B")
    text = fmt.format(m=month, d=day, y=year, name=name)
    with pytest.raises(CellError, match=f"{name} {year} has no day {day}"):
        parse_date(text)


@pytest.mark.parametrize(
    "text, why",
    [
        ("13/1/2010", "no month 13"),
        ("2010-13-01", "no month 13"),
        ("Smarch 3, 2010", "is not a date"),
        ("soon", "is not a date"),
        ("6/8", "is not a date"),
        ("June 8, 1910", "outside the years"),
        ("6/8/201", "is not a date"),
        (True, "is not a date"),
    ],
)
def test_text_that_is_not_a_date_says_so(text, why):
    with pytest.raises(CellError, match=why):
        parse_date(text)


def test_an_empty_cell_is_no_date():
    assert parse_date(None) is None
    assert parse_date("  ") is None


@given(code=st.integers(1001, 99999))
def test_a_fips_code_gets_back_the_leading_zero_excel_dropped(code):
    expected = f"{code:05d}"
    assert parse_fips(code) == expected
    assert parse_fips(float(code)) == expected
    assert parse_fips(str(code)) == expected
    assert parse_fips(expected) == expected


@pytest.mark.parametrize("value", ["123", "123456", "06-037", "LA"])
def test_a_fips_code_that_is_not_five_digits_is_refused(value):
    with pytest.raises(CellError, match="five digits"):
        parse_fips(value)


header_choices = st.fixed_dictionaries(
    {key: st.sampled_from(sorted(aliases)) for key, aliases in HEADER_ALIASES.items()}
)
cell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20
).filter(lambda s: s.strip() == s and s.strip())


@given(
    names=header_choices,
    order=st.permutations(list(HEADER_ALIASES)),
    rows=st.lists(st.lists(cell_text, min_size=5, max_size=5), min_size=1, max_size=8),
    bom=st.booleans(),
    delimiter=st.sampled_from([",", ";", "\t"]),
    newline=st.sampled_from(["\r\n", "\n"]),
    upper=st.booleans(),
)
def test_a_csv_in_any_column_order_with_any_usual_header_reads_back(
    names, order, rows, bom, delimiter, newline, upper
):
    header = [names[key].upper() if upper else names[key].title() for key in order]
    content = csv_bytes(rows, header, bom=bom, delimiter=delimiter, newline=newline)
    table = read_table(content=content, file_name="plan.csv")
    assert table.columns == {key: position for position, key in enumerate(order)}
    assert [cells for _, cells in table.rows] == rows
    assert [number for number, _ in table.rows] == list(range(2, len(rows) + 2))


@settings(max_examples=25, deadline=None)
@given(
    order=st.permutations(list(HEADER_ALIASES)),
    rows=st.lists(
        st.lists(cell_text.filter(lambda s: not s.startswith("=")), min_size=5, max_size=5),
        min_size=1,
        max_size=5,
    ),
    title=st.booleans(),
)
def test_an_xlsx_in_any_column_order_reads_back_with_spreadsheet_row_numbers(order, rows, title):
    header = [HEADER[list(HEADER_ALIASES).index(key)] for key in order]
    content = xlsx_bytes(rows, header, title="ICE deployment schedule" if title else None)
    table = read_table(content=content, file_name="plan.xlsx")
    assert table.columns == {key: position for position, key in enumerate(order)}
    assert [cells for _, cells in table.rows] == rows
    first = 3 if title else 2
    assert [number for number, _ in table.rows] == list(range(first, len(rows) + first))


STATE_FORMS = [
    lambda s: s.name,
    lambda s: s.postal_code,
    lambda s: s.postal_code.lower(),
    lambda s: s.name.upper(),
    lambda s: f" {s.name} ",
]
NAME_FORMS = [
    lambda j: j.name,
    lambda j: j.name.upper(),
    lambda j: j.name.removesuffix(" County"),
    lambda j: j.name.lower().removesuffix(" county") + " County",
]


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.data(),
    order=st.permutations(list(HEADER_ALIASES)),
    xlsx=st.booleans(),
    bom=st.booleans(),
)
def test_any_mix_of_forms_matches_every_row_to_its_jurisdiction(data, order, xlsx, bom):
    places = directory()
    keys = data.draw(
        st.lists(
            st.sampled_from(["la", "sf", "santa_clara", "fairfax", "fairfax_city", "arlington"]),
            min_size=1,
            max_size=6,
            unique=True,
        )
    )
    expected, rows = {}, []
    for key in keys:
        j = places[key]
        day = data.draw(dates)
        # A bare "Fairfax" is both the county and the city: refused unless the FIPS code says.
        use_fips = data.draw(st.booleans()) or key in ("fairfax", "fairfax_city")
        name_form = data.draw(st.sampled_from(NAME_FORMS))
        cells = {
            "state": data.draw(st.sampled_from(STATE_FORMS))(j.state),
            "jurisdiction": name_form(j) if key != "fairfax_city" else j.name,
            "fips": j.fips if use_fips else "",
            "scheduled": data.draw(st.sampled_from(FORMATS[:9]))(day),
            "actual": "",
        }
        rows.append([cells[k] for k in order])
        expected[j.pk] = day
    header = [HEADER[list(HEADER_ALIASES).index(k)] for k in order]
    content = xlsx_bytes(rows, header) if xlsx else csv_bytes(rows, header, bom=bom)
    report = schedule_check(content=content, file_name="plan.xlsx" if xlsx else "plan.csv")
    assert report["errors"] == []
    entries = report["new"] + report["changed"] + report["unchanged"]
    assert {e["jurisdiction_id"]: e["new_scheduled"] for e in entries} == {
        pk: day.isoformat() for pk, day in expected.items()
    }


def test_a_title_row_above_the_header_is_skipped():
    content = csv_bytes([["CA", "Los Angeles", "", "6/8/2010", ""]], ["ICE schedule, Sep 2010"])
    content = content + csv_bytes([], HEADER) + csv_bytes([["CA", "X", "", "6/8/2010", ""]], None)
    table = read_table(content=content, file_name="plan.csv")
    assert table.header_row == 3
    assert [n for n, _ in table.rows] == [4]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is empty"),
        (b"\xef\xbb\xbf", "is empty"),
        (b"\r\n\r\n  \r\n", "is empty"),
        (csv_bytes([]), "has the column names but no jurisdiction"),
        (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "is not a spreadsheet"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not a spreadsheet"),
        (bytes(range(256)) * 4, "is not a spreadsheet"),
        (b"PK\x03\x04not really a zip at all", "is not a spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel 97"),
        (csv_bytes([["CA", "Los Angeles", "6/8/2010"]], ["State", "County", "Date"]), "Missing"),
        (b"Dear Sir,\nPlease find attached the schedule.\n", "does not have the columns"),
        (
            csv_bytes([["CA", "CA", "LA", "6/8/2010"]], ["State", "ST", "County", "Scheduled"]),
            "names a column twice",
        ),
    ],
    ids=[
        "empty",
        "bom-only",
        "blank-lines",
        "header-only",
        "pdf",
        "png",
        "binary",
        "zip-not-xlsx",
        "old-xls",
        "wrong-columns",
        "a-letter",
        "column-twice",
    ],
)
def test_a_file_that_is_not_a_schedule_is_refused_as_a_whole(content, message):
    with pytest.raises(ScheduleFileError, match=message):
        read_table(content=content, file_name="upload.csv")


def test_a_docx_is_not_a_spreadsheet():
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ScheduleFileError, match="is not a spreadsheet"):
        read_table(content=out.getvalue(), file_name="letter.docx")


def test_a_windows_1252_csv_from_old_excel_reads():
    content = "State,Jurisdiction,Scheduled activation date\r\nPR,Añasco,6/8/2010\r\n".encode(
        "cp1252"
    )
    table = read_table(content=content, file_name="plan.csv")
    assert table.rows == [(2, ["PR", "Añasco", "6/8/2010"])]


def test_the_missing_columns_are_named_and_what_was_found_is_shown():
    content = csv_bytes([["CA", "x"]], ["State", "Sheriff"])
    with pytest.raises(ScheduleFileError) as info:
        read_table(content=content, file_name="plan.csv")
    message = str(info.value)
    assert "Missing: Jurisdiction, Scheduled activation date" in message
    assert "“Sheriff”" in message
