"""
A schedule file's rows as they come, one at a time, with bounded work.

A deployment schedule has a few thousand rows, and the files that are not
one must be refused before they cost minutes and gigabytes: an .xlsx is a ZIP
whose members may unpack to hundreds of times their size, so its declared
unpacked size and its packing ratio are checked before openpyxl opens it;
rows are read as a stream (openpyxl's read-only mode, the CSV reader row by
row), never all at once; and every error the parsers raise, while opening or
while reading a row, becomes a ScheduleFileError that says what is wrong.
The XML is parsed through defusedxml (a runtime dependency), so an entity
bomb is refused rather than expanded.
"""

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator

from django.conf import settings

from core.files import megabytes

Rows = Iterator[tuple[int, list]]

NOT_A_SPREADSHEET = (
    "“{name}” is not a spreadsheet that can be read. Upload a CSV file (comma-separated "
    "values, as Excel saves with “CSV UTF-8”) or an Excel workbook (.xlsx)."
)
UNREADABLE_XLSX = (
    "This file is not a readable .xlsx workbook: {reason}. Open “{name}” in Excel or "
    "LibreOffice, save it again as .xlsx or as CSV, and upload that file."
)
TOO_MANY_ROWS = (
    "This file has more than {limit:,} rows; a deployment schedule has a few thousand. "
    "Split it or check it is the right file."
)
# Packing ratio past which an .xlsx is refused (ordinary workbooks pack 5–20 times),
# once it unpacks to more than RATIO_FROM bytes.
MAX_RATIO = 100
RATIO_FROM = 1024 * 1024
# Rows above the data a file may have: a title, notes, the header.
HEADER_ROWS = 10


class ScheduleFileError(ValueError):
    """The file as a whole cannot be read as a schedule; nothing in it is used."""


def max_rows() -> int:
    """Rows a schedule may have (SCOMM_SCHEDULE_MAX_ROWS): the United States has about 3,200."""
    return getattr(settings, "SCOMM_SCHEDULE_MAX_ROWS", 20_000)


def max_unzipped_bytes() -> int:
    """What an .xlsx may unpack to (SCOMM_SCHEDULE_MAX_UNZIPPED_BYTES)."""
    return getattr(settings, "SCOMM_SCHEDULE_MAX_UNZIPPED_BYTES", 50 * 1024 * 1024)


def too_many_rows(limit: int | None = None) -> ScheduleFileError:
    return ScheduleFileError(TOO_MANY_ROWS.format(limit=limit or max_rows()))


def is_xlsx(content: bytes) -> bool:
    return content.startswith(b"PK\x03\x04")


# --- CSV --------------------------------------------------------------------------------------


def _csv_encoding(content: bytes) -> str:
    """UTF-8 (with or without its byte-order mark) when every byte fits, else Windows-1252."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(content), 1 << 20):
            decoder.decode(content[start : start + (1 << 20)])  # checked, not kept
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV (Comma delimited)" in Windows-1252.
        return "cp1252"
    return "utf-8-sig"


def csv_rows(content: bytes, file_name: str) -> Rows:
    """The CSV's rows one by one, numbered from 1; a malformed row ends it with a file error."""
    head = content[:8192]
    if b"\x00" in head or head.startswith((b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8")):
        raise ScheduleFileError(NOT_A_SPREADSHEET.format(name=file_name))
    encoding = _csv_encoding(content)
    text = head.decode(encoding, errors="replace")
    if sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t") > 8:
        raise ScheduleFileError(NOT_A_SPREADSHEET.format(name=file_name))
    first_line = text.lstrip("\ufeff\r\n").split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    stream = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, errors="replace", newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ScheduleFileError(
                f"“{file_name}” could not be read as CSV near row {reader.line_num}: {exc}."
            ) from exc
        number += 1
        yield number, row


# --- XLSX -------------------------------------------------------------------------------------


def _reason(exc: Exception) -> str:
    """A parser's complaint in a few words a person can pass on (its first cause's)."""
    seen = []
    while exc is not None and exc not in seen and len(seen) < 10:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    exc = seen[-1]
    name = type(exc).__name__
    if name in {"EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden"}:
        return "it declares XML entities, which a workbook saved by Excel never does"
    if isinstance(exc, zipfile.BadZipFile | EOFError | zipfile.LargeZipFile):
        return f"its ZIP archive is damaged ({exc})"
    text = " ".join(str(exc).split())[:160]
    return f"{text} ({name})" if text else name


def xlsx_check(content: bytes, file_name: str) -> int:
    """
    Refuse, before any XML is parsed, an .xlsx that is no workbook, that
    unpacks to more than max_unzipped_bytes(), that is packed suspiciously
    tight, or that has more rows than a schedule may. The sizes are those the
    ZIP declares: zipfile never unpacks a member past them. Returns the rows
    counted (the header and any title among them).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as exc:
        raise ScheduleFileError(NOT_A_SPREADSHEET.format(name=file_name)) from exc
    if "xl/workbook.xml" not in {m.filename for m in members}:
        raise ScheduleFileError(NOT_A_SPREADSHEET.format(name=file_name))
    unzipped = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    limit = max_unzipped_bytes()
    if unzipped > limit:
        raise ScheduleFileError(
            f"This file unpacks to {megabytes(unzipped)}; a deployment schedule's workbook is far "
            f"smaller (the limit is {megabytes(limit)}). Check it is the right file, or save it "
            "as CSV."
        )
    if unzipped > RATIO_FROM and unzipped > MAX_RATIO * max(packed, 1):
        raise ScheduleFileError(
            f"This file unpacks to {unzipped // max(packed, 1):,} times its size, as no "
            "spreadsheet does. Check it is the right file, or save it as CSV."
        )
    try:
        rows = xlsx_row_count(content, stop_after=max_rows() + HEADER_ROWS)
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, NotImplementedError) as exc:
        raise ScheduleFileError(
            UNREADABLE_XLSX.format(name=file_name, reason=_reason(exc))
        ) from exc
    if rows > max_rows() + HEADER_ROWS:
        raise too_many_rows()
    return rows


_ROW_END = re.compile(rb"</(?:\w+:)?row>")
_SHEET = re.compile(r"xl/worksheets/[^/]+\.xml")


def xlsx_row_count(content: bytes, stop_after: int) -> int:
    """
    The rows with cells in the workbook's sheets, counted in their unpacked
    XML without parsing it (fast: no cell is read), stopping once past
    `stop_after`. Counted before openpyxl opens the file, which reads every
    sheet through once when the sheet does not declare its size.
    """
    count = 0
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if not _SHEET.fullmatch(name):
                continue
            tail = b""
            with archive.open(name) as sheet:
                while chunk := sheet.read(1 << 20):
                    data = tail + chunk
                    count += len(_ROW_END.findall(data))
                    # A closing tag cut in two by the chunk is completed by the next one.
                    cut = data.rfind(b"<", max(0, len(data) - 16))
                    tail = data[cut:] if cut != -1 and b">" not in data[cut:] else b""
                    if count > stop_after:
                        return count
    return count


def xlsx_rows(content: bytes, file_name: str) -> Rows:
    """The first sheet's rows one by one, numbered as the spreadsheet shows them."""
    import openpyxl

    xlsx_check(content, file_name)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a zip that is no sound workbook
        raise ScheduleFileError(
            UNREADABLE_XLSX.format(name=file_name, reason=_reason(exc))
        ) from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ScheduleFileError(f"“{file_name}” has no sheet.")
        # Errors raised while a row is parsed come out of the loop, not out of load_workbook.
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    except ScheduleFileError:
        raise
    except Exception as exc:
        raise ScheduleFileError(
            UNREADABLE_XLSX.format(name=file_name, reason=_reason(exc))
        ) from exc
    finally:
        workbook.close()


def raw_rows(content: bytes, file_name: str) -> Rows:
    """Every row of a CSV or an .xlsx, streamed; ScheduleFileError for a file that is neither."""
    if is_xlsx(content):
        return xlsx_rows(content, file_name)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ScheduleFileError(
            f"“{file_name}” is an old Excel 97–2003 workbook (.xls). Open it in Excel or "
            "LibreOffice and save it as .xlsx or as CSV, then upload that file."
        )
    return csv_rows(content, file_name)
