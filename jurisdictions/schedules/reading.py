"""
Reading a deployment schedule as people really send it: CSV (with or without
a byte-order mark, from Excel on Windows or from a script) or an Excel
workbook, the columns in any order under any of their usual names, states by
name or postal code, dates written the American way or the ISO way.

Nothing here touches the database: the file becomes a header and rows of
plain values, and each value is parsed with an error message a person can act
on. Matching the rows to jurisdictions is in checking.py.
"""

import csv
import datetime
import functools
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

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


class ScheduleFileError(ValueError):
    """The file as a whole cannot be read as a schedule; nothing in it is used."""


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

NOT_A_SPREADSHEET = (
    "“{name}” is not a spreadsheet that can be read. Upload a CSV file (comma-separated "
    "values, as Excel saves with “CSV UTF-8”) or an Excel workbook (.xlsx)."
)


def read_table(*, content: bytes, file_name: str) -> Table:
    """Read a CSV or XLSX file; raise ScheduleFileError with a clear message when it cannot be."""
    if not content.replace(b"\xef\xbb\xbf", b"").strip():
        raise ScheduleFileError(f"“{file_name}” is empty: there is no row to read.")
    if content.startswith(b"PK\x03\x04"):
        raw_rows = _xlsx_rows(content, file_name)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ScheduleFileError(
            f"“{file_name}” is an old Excel 97–2003 workbook (.xls). Open it in Excel or "
            "LibreOffice and save it as .xlsx or as CSV, then upload that file."
        )
    else:
        raw_rows = _csv_rows(content, file_name)
    return _find_header(raw_rows, file_name)


def _csv_rows(content: bytes, file_name: str) -> list[tuple[int, list]]:
    head = content[:8192]
    if b"\x00" in head or head.startswith((b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8")):
        raise ScheduleFileError(NOT_A_SPREADSHEET.format(name=file_name))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV (Comma delimited)" in Windows-1252.
        text = content.decode("cp1252", errors="replace")
    if sum(1 for ch in text[:8192] if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t") > 8:
        raise ScheduleFileError(NOT_A_SPREADSHEET.format(name=file_name))
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(number, row) for number, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise ScheduleFileError(
            f"“{file_name}” could not be read as CSV near row {reader.line_num}: {exc}."
        ) from exc


def _xlsx_rows(content: bytes, file_name: str) -> list[tuple[int, list]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ScheduleFileError(NOT_A_SPREADSHEET.format(name=file_name)) from exc
    except Exception as exc:  # openpyxl raises its own errors for a zip that is no workbook
        raise ScheduleFileError(NOT_A_SPREADSHEET.format(name=file_name)) from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ScheduleFileError(f"“{file_name}” has no sheet.")
        return [
            (number, list(row))
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()


def _find_header(raw_rows: list[tuple[int, list]], file_name: str) -> Table:
    """The header is the first row naming the required columns (a title may sit above it)."""
    non_blank = [(n, cells) for n, cells in raw_rows if any(not is_blank(c) for c in cells)]
    if not non_blank:
        raise ScheduleFileError(f"“{file_name}” is empty: there is no row to read.")
    best = None
    for number, cells in non_blank[:10]:
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
    rows = [(n, list(c)) for n, c in non_blank if n > number]
    if not rows:
        raise ScheduleFileError(
            f"“{file_name}” has the column names but no jurisdiction below them."
        )
    return Table(
        columns=columns, header_labels=labels, ignored=ignored, header_row=number, rows=rows
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
