"""
Reading a deployment schedule as people really send it: CSV (with or without
a byte-order mark, from Excel on Windows or from a script) or an Excel
workbook, the columns in any order under any of their usual names, states by
name or postal code, dates written the American way or the ISO way.

Nothing here touches the database: the file becomes a header and rows of
plain values, and each value is parsed with an error message a person can act
on. The file is streamed and bounded by sheets.py; matching the rows to
jurisdictions is in checking.py.
"""

import datetime
import functools
import re
import unicodedata
from dataclasses import dataclass

from .sheets import (
    HEADER_ROWS,
    ScheduleFileError,
    is_xlsx,
    max_rows,
    raw_rows,
    too_many_rows,
    xlsx_check,
)

COLUMN_LABELS = {
    "state": "State",
    "jurisdiction": "Jurisdiction",
    "fips": "FIPS code",
    "scheduled": "Scheduled activation date",
    "actual": "Actual activation date",
}
REQUIRED_COLUMNS = ("state", "jurisdiction", "scheduled")
# A list of jurisdictions already activated (ICE published those too) has the
# actual activation date and no scheduled one: either date column will do.
DATE_COLUMNS = ("scheduled", "actual")

# Header spellings seen in the lists ICE, states and advocates circulated,
# compared after header_key() (lower case, punctuation to spaces).
HEADER_ALIASES = {
    "state": {
        "state",
        "st",
        "state name",
        "state code",
        "state abbreviation",
        "state abbr",
        "state postal code",
        "postal code",
    },
    "jurisdiction": {
        "jurisdiction",
        "jurisdiction name",
        "county",
        "county name",
        "county or equivalent",
        "jurisdiction county",
        "county jurisdiction",
        "jurisdiction or county",
        "county or jurisdiction",
        "agency",
        "law enforcement agency",
        "county equivalent",
        "name",
        "locality",
        "parish",
    },
    "fips": {
        "fips",
        "fips code",
        "county fips",
        "county fips code",
        "fips county code",
        "fips county",
        "geoid",
    },
    "scheduled": {
        "scheduled activation date",
        "scheduled activation",
        "scheduled date",
        "scheduled",
        "planned activation date",
        "planned activation",
        "estimated activation date",
        "projected activation date",
        "activation date scheduled",
        "scheduled activation date est",
    },
    "actual": {
        "actual activation date",
        "actual activation",
        "actual date",
        "actual",
        "activated",
        "activated on",
        "date activated",
        "activation date actual",
        "activation date",
        "activation",
        "date of activation",
        "activated date",
    },
}
_HEADER_INDEX = {alias: key for key, aliases in HEADER_ALIASES.items() for alias in aliases}

EARLIEST = datetime.date(2008, 1, 1)
LATEST = datetime.date(2099, 12, 31)
DATE_EXAMPLES = "2010-06-08, 6/8/2010 or June 8, 2010"


class CellError(ValueError):
    """One value that cannot be understood; the message says why, for a person."""


@dataclass
class Table:
    """A schedule file read into a header and rows, with each row's number in the file."""

    columns: dict[str, int]  # our column key -> position
    header_labels: dict[str, str]  # our column key -> the header as written in the file
    ignored: list[str]  # headers of columns that are not used
    header_row: int
    rows: list[tuple[int, list]]  # (row number as a spreadsheet shows it, cells)

    def cell(self, cells: list, key: str):
        position = self.columns.get(key)
        if position is None or position >= len(cells):
            return None
        return cells[position]


def header_key(text) -> str:
    text = unicodedata.normalize("NFKC", str(text or "")).replace("\ufeff", "")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- the file ---------------------------------------------------------------------------------

# How far down a title may push the header row (non-blank rows looked at).
HEADER_WITHIN = HEADER_ROWS


def read_table(*, content: bytes, file_name: str, limit: int | None = None) -> Table:
    """
    Read a CSV or XLSX file, streamed and at most `limit` rows below the header
    (sheets.max_rows() by default); raise ScheduleFileError with a clear message
    when it cannot be read or is too long.
    """
    limit = limit or max_rows()
    rows = _non_blank(content, file_name)
    table = _find_header(rows, file_name)
    for number, cells in rows:
        if len(table.rows) >= limit:
            raise too_many_rows(limit)
        table.rows.append((number, cells))
    if len(table.rows) > limit:
        raise too_many_rows(limit)
    if not table.rows:
        raise ScheduleFileError(
            f"“{file_name}” has the column names but no jurisdiction below them."
        )
    return table


def read_head(*, content: bytes, file_name: str, limit: int | None = None) -> tuple[Table, int]:
    """
    The quick look an upload gets before it is kept: the file is a schedule
    (readable, with its columns) and not obviously too long, from its first
    rows. Returns the header with those rows, and how many rows it is expected
    to have at most (a CSV's lines, an .xlsx's rows with cells, counted without
    parsing them). The rows themselves are read once, by read_table, in the
    background check, which holds every file to the exact limit.
    """
    limit = limit or max_rows()
    rows = _non_blank(content, file_name)
    try:
        table = _find_header(rows, file_name)
        if is_xlsx(content):
            counted = xlsx_check(content, file_name)
        else:
            # Lines, not parsed rows: an upper bound got at the speed of memory.
            counted = content.count(b"\n") + (not content.endswith(b"\n"))
        expected = max(counted - table.header_row, len(table.rows))
        if not table.rows and next(rows, None) is None:
            expected = 0
    finally:
        rows.close()
    if expected > limit + HEADER_ROWS:  # blank lines and notes are not held against it
        raise too_many_rows(limit)
    if not expected:
        raise ScheduleFileError(
            f"“{file_name}” has the column names but no jurisdiction below them."
        )
    return table, expected


def _non_blank(content: bytes, file_name: str):
    if not content.replace(b"\xef\xbb\xbf", b"").strip():
        raise ScheduleFileError(f"“{file_name}” is empty: there is no row to read.")
    return (
        (number, cells)
        for number, cells in raw_rows(content, file_name)
        if any(not is_blank(c) for c in cells)
    )


def _find_header(rows, file_name: str) -> Table:
    """
    The header is the first row naming the required columns (a title may sit
    above it). Reads the first non-blank rows of the stream `rows` only; the
    rows below the header among them start the table's rows.
    """
    head = []
    for item in rows:
        head.append(item)
        if len(head) >= HEADER_WITHIN:
            break
    if not head:
        raise ScheduleFileError(f"“{file_name}” is empty: there is no row to read.")
    best = None
    for number, cells in head:
        columns, labels, ignored, duplicates = {}, {}, [], []
        for position, cell in enumerate(cells):
            if is_blank(cell):
                continue
            key = _HEADER_INDEX.get(header_key(cell))
            if key is None:
                ignored.append(str(cell).strip())
            elif key in columns:
                duplicates.append(str(cell).strip())
            else:
                columns[key] = position
                labels[key] = str(cell).replace("\ufeff", "").strip()
        found = sum(1 for key in REQUIRED_COLUMNS[:2] if key in columns) + any(
            key in columns for key in DATE_COLUMNS
        )
        if best is None or found > best[0]:
            best = (found, number, cells, columns, labels, ignored, duplicates)
        if found == len(REQUIRED_COLUMNS):
            break
    found, number, cells, columns, labels, ignored, duplicates = best
    if found < len(REQUIRED_COLUMNS):
        missing = [COLUMN_LABELS[k] for k in REQUIRED_COLUMNS[:2] if k not in columns]
        if not any(key in columns for key in DATE_COLUMNS):
            missing.append(COLUMN_LABELS["scheduled"])
        seen = ", ".join(f"“{str(c).strip()}”" for c in cells if not is_blank(c))[:300]
        raise ScheduleFileError(
            f"“{file_name}” does not have the columns of a deployment schedule. "
            f"Missing: {', '.join(missing)}. The first row should name the columns — State, "
            "Jurisdiction, FIPS code (optional), Scheduled activation date, Actual activation "
            f"date (optional) — in any order. Found: {seen or 'nothing'}."
        )
    if duplicates:
        raise ScheduleFileError(
            f"“{file_name}” names a column twice: {', '.join(duplicates)}. Keep one of each."
        )
    return Table(
        columns=columns,
        header_labels=labels,
        ignored=ignored,
        header_row=number,
        rows=[(n, list(c)) for n, c in head if n > number],
    )


# --- the values -------------------------------------------------------------------------------

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_US = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})$")
_MONTH_FIRST = re.compile(r"^([a-z]+)\.? +(\d{1,2})(?:st|nd|rd|th)?,? +(\d{4})$")
_DAY_FIRST = re.compile(r"^(\d{1,2}) +([a-z]+)\.?,? +(\d{4})$")


_ON_OR_BEFORE = re.compile(r"^(?:on or before|no later than|by)\s+(.+)$", re.IGNORECASE)
_MONTH_YEAR = re.compile(r"^([a-z]+)\.?,? +(\d{4})$")
_MONTH_SLASH_YEAR = re.compile(r"^(\d{1,2})[/-](\d{4})$|^(\d{4})-(\d{1,2})$")


def parse_dated(value) -> tuple[datetime.date | None, str]:
    """
    A date with its precision, as ICE's lists wrote them: a day ("day"), a
    month alone ("November 2009", "11/2009": its first day, "month"), or a
    latest day ("on or before 12/16/2009": "on_or_before").
    """
    if isinstance(value, str):
        text = " ".join(value.split())
        if m := _ON_OR_BEFORE.match(text):
            return parse_date(m.group(1)), "on_or_before"
        lowered = text.lower()
        month = year = None
        if (m := _MONTH_YEAR.match(lowered)) and m.group(1) in MONTHS:
            month, year = MONTHS[m.group(1)], int(m.group(2))
        elif m := _MONTH_SLASH_YEAR.match(lowered):
            month, year = (
                (int(m.group(1)), int(m.group(2)))
                if m.group(1)
                else (
                    int(m.group(4)),
                    int(m.group(3)),
                )
            )
        if year is not None:
            if not 1 <= month <= 12:
                raise CellError(f"“{text}” is not a date: there is no month {month}.")
            return parse_date(datetime.date(year, month, 1)), "month"
    return parse_date(value), "day"


def parse_date(value) -> datetime.date | None:
    """A date from a cell; None for an empty cell; CellError saying why otherwise."""
    if is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        day = _excel_serial(value)
    else:
        day = _parse_date_text(str(value))
    if not EARLIEST <= day <= LATEST:
        raise CellError(
            f"{day:%B} {day.day}, {day.year} is outside the years of Secure Communities "
            f"({EARLIEST.year} onwards): check the year."
        )
    return day


def _excel_serial(value: float) -> datetime.date:
    from openpyxl.utils.datetime import from_excel

    if value != int(value) or not 1 <= value <= 2958465:
        raise CellError(f"“{value}” is not a date. Write it as {DATE_EXAMPLES}.")
    return from_excel(int(value)).date()


@functools.lru_cache(maxsize=4096)
def _parse_date_text(raw: str) -> datetime.date:
    text = " ".join(raw.strip().lower().split())
    if m := _ISO.match(text):
        year, month, day = (int(g) for g in m.groups())
    elif m := _US.match(text):
        month, day, year = (int(g) for g in m.groups())
        if len(m.group(3)) == 2:
            year += 2000
    elif (m := _MONTH_FIRST.match(text)) and m.group(1) in MONTHS:
        month, day, year = MONTHS[m.group(1)], int(m.group(2)), int(m.group(3))
    elif (m := _DAY_FIRST.match(text)) and m.group(2) in MONTHS:
        day, month, year = int(m.group(1)), MONTHS[m.group(2)], int(m.group(3))
    else:
        raise CellError(f"“{raw.strip()}” is not a date. Write it as {DATE_EXAMPLES}.")
    if not 1 <= month <= 12:
        raise CellError(
            f"“{raw.strip()}” is not a date: there is no month {month}. "
            "Dates are read month first, as 6/8/2010 for June 8, 2010."
        )
    try:
        return datetime.date(year, month, day)
    except ValueError:
        month_name = datetime.date(2000, month, 1).strftime("%B")
        raise CellError(
            f"“{raw.strip()}” is not a date: {month_name} {year} has no day {day}."
        ) from None


def parse_fips(value) -> str:
    """
    A five-digit county FIPS code; Excel's lost leading zero (6037) is put back.
    Two digits (06, or 6 from Excel) are a state's code: a row for the whole state.
    """
    if is_blank(value):
        return ""
    if isinstance(value, float) and value == int(value):
        value = int(value)
    text = str(value).strip()
    if re.fullmatch(r"\d{4,5}", text):
        return text.zfill(5)
    if re.fullmatch(r"\d{1,2}", text):
        return text.zfill(2)
    raise CellError(f"“{text}” is not a FIPS code: a county's FIPS code is five digits, as 06037.")


def state_key(value) -> str:
    """The form used to look a state up by name, postal code or FIPS code."""
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower().replace(".", "")).split())


STATE_ALIASES = {"washington dc": "dc", "dist of columbia": "dc", "wash dc": "dc"}


def text_value(value) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return " ".join(str(value).split())
