"""
Bounded schedule uploads: rows capped while reading, an .xlsx's unpacked
size and packing ratio checked before openpyxl opens it, every parser error
(opening or while reading a row) a file error and never a 500, and the rows
read once, by the background check.
"""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jurisdictions.models import ScheduleVersion
from jurisdictions.schedules import reading, sheets
from jurisdictions.schedules.reading import ScheduleFileError, read_head, read_table
from tests.factories import UserFactory
from tests.jurisdictions.test_schedule_support import csv_bytes, directory, xlsx_bytes

pytestmark = pytest.mark.django_db

UPLOAD = reverse("jurisdictions:schedule_upload")
TOO_MANY = "This file has more than 50 rows; a deployment schedule has a few thousand."
UNREADABLE = "This file is not a readable .xlsx workbook"


@pytest.fixture
def admin_client(db):
    directory()
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def fifty_rows(settings):
    settings.SCOMM_SCHEDULE_MAX_ROWS = 50


def _rows(n):
    return [["CA", f"County {i}", "", "6/8/2010", ""] for i in range(n)]


def _upload(client, content, name):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})


def _refused(response, words):
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not ScheduleVersion.objects.exists()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_over_the_row_limit_is_refused_at_upload_saying_why(admin_client, fifty_rows, kind):
    content = (xlsx_bytes if kind == "xlsx" else csv_bytes)(_rows(51 + sheets.HEADER_ROWS))
    _refused(_upload(admin_client, content, f"plan.{kind}"), TOO_MANY)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_check_holds_a_file_to_the_exact_limit(fifty_rows, kind):
    build = xlsx_bytes if kind == "xlsx" else csv_bytes
    assert len(read_table(content=build(_rows(50)), file_name="f").rows) == 50
    with pytest.raises(ScheduleFileError, match=TOO_MANY):
        read_table(content=build(_rows(51)), file_name="f")


def test_an_xlsx_over_the_limit_is_refused_before_openpyxl_opens_it(fifty_rows, monkeypatch):
    content = xlsx_bytes(_rows(100))

    def never(*args, **kwargs):
        raise AssertionError("openpyxl opened a file over the limit")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    for read in (read_head, read_table):
        with pytest.raises(ScheduleFileError, match=TOO_MANY):
            read(content=content, file_name="plan.xlsx")


def _workbook_with(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    """A good workbook with some of its members replaced or added."""
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes(_rows(2)))) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts.update(members)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_an_xlsx_that_unpacks_too_large_is_refused_before_any_xml_is_read(settings):
    settings.SCOMM_SCHEDULE_MAX_UNZIPPED_BYTES = 5 * 1024 * 1024
    content = _workbook_with({"xl/media/padding.bin": b"\0" * (6 * 1024 * 1024)})
    assert len(content) < 100_000
    with pytest.raises(ScheduleFileError, match="This file unpacks to 6.0 MB"):
        read_table(content=content, file_name="plan.xlsx")


def test_an_xlsx_packed_suspiciously_tight_is_refused():
    content = _workbook_with({"xl/media/padding.bin": b"\0" * (3 * 1024 * 1024)})
    with pytest.raises(ScheduleFileError, match="times its size, as no spreadsheet does"):
        read_head(content=content, file_name="plan.xlsx")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<dimension ref="A1:C2"/><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>State</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>
</sheetData></worksheet>"""

# Declares its size, so openpyxl opens it without reading the rows: the broken
# row is met while the rows are read, after load_workbook has returned.
BROKEN_ROW = b"""<?xml version="1.0"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<dimension ref="A1:E3"/><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>State</t></is></c>
<c r="B1" t="inlineStr"><is><t>Jurisdiction</t></is></c>
<c r="C1" t="inlineStr"><is><t>Scheduled activation date</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>CA</t></is></c><c r="B2" t="n"><v>not-a-number</v></c></row>
<row r="3"><c r="A3"><v>1</v></c></ro"""


def _truncated():
    content = xlsx_bytes(_rows(30))
    return content[: len(content) // 2]


def _corrupt():
    content = bytearray(_workbook_with({}, method=zipfile.ZIP_STORED))
    at = content.find(b"<sheetData>")
    content[at + 1 : at + 10] = b"XXXXXXXXX"  # the CRC no longer matches
    return bytes(content)


def _docx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


BAD_FILES = {
    "truncated": (_truncated, "is not a spreadsheet that can be read"),
    "corrupt-zip": (_corrupt, UNREADABLE),
    "billion-laughs": (
        lambda: _workbook_with({"xl/worksheets/sheet1.xml": BILLION_LAUGHS}),
        f"{UNREADABLE}: it declares XML entities",
    ),
    "broken-row": (lambda: _workbook_with({"xl/worksheets/sheet1.xml": BROKEN_ROW}), UNREADABLE),
    "pdf-renamed": (lambda: b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "is not a spreadsheet"),
    "docx-renamed": (_docx, "is not a spreadsheet"),
    "png-renamed": (lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "is not a spreadsheet"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_broken_or_hostile_xlsx_is_a_file_error_never_a_500(admin_client, name):
    build, words = BAD_FILES[name]
    content = build()
    with pytest.raises(ScheduleFileError, match=words):
        read_table(content=content, file_name="plan.xlsx")
    response = _upload(admin_client, content, "plan.xlsx")
    if response.status_code == 302:
        # Refused by the check in the background: the preview says why.
        version = ScheduleVersion.objects.get()
        assert words in version.report["file_error"]
        assert admin_client.get(response["Location"]).status_code == 200
    else:
        _refused(response, words.split(":")[0])


def test_defusedxml_is_what_openpyxl_parses_with():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML


def test_the_rows_are_read_once_by_the_background_check(
    admin_client, monkeypatch, django_capture_on_commit_callbacks
):
    read = {"rows": 0, "tables": 0}
    raw_rows, read_table_ = reading.raw_rows, reading.read_table

    def counting_rows(content, file_name):
        for item in raw_rows(content, file_name):
            read["rows"] += 1
            yield item

    def counting_table(**kwargs):
        read["tables"] += 1
        return read_table_(**kwargs)

    monkeypatch.setattr(reading, "raw_rows", counting_rows)
    monkeypatch.setattr(reading, "read_table", counting_table)
    from jurisdictions.schedules import checking

    monkeypatch.setattr(checking, "read_table", counting_table)
    rows = [["CA", "Los Angeles County", "06037", "8/27/2010", ""]] * 1 + _rows(300)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(admin_client, csv_bytes(rows), "plan.csv")
    assert response.status_code == 302
    version = ScheduleVersion.objects.get()
    assert version.status == ScheduleVersion.Status.CHECKED
    assert version.rows_total == 301
    assert read["tables"] == 1
    # The request looked at the header and the first rows; the check read each row once.
    assert read["rows"] <= 302 + sheets.HEADER_ROWS
