import io
import urllib.request

import pytest
from pypdf import PdfReader

from correspondence import letters, pdf
from correspondence.pdf import LocalOnlyFetcher, RefusedURL

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _xobjects(resources):
    """Every XObject a page draws, with those inside the forms it draws."""
    for ref in (resources or {}).get("/XObject", {}).values():
        xobject = ref.get_object()
        yield xobject
        if xobject.get("/Subtype") == "/Form":
            yield from _xobjects(xobject.get("/Resources"))


def _font_dicts(resources):
    resources = resources or {}
    for ref in resources.get("/Font", {}).values():
        yield ref.get_object()
    for xobject in _xobjects(resources):
        if xobject.get("/Subtype") == "/Form":
            for ref in (xobject.get("/Resources") or {}).get("/Font", {}).values():
                yield ref.get_object()


def _fonts(content: bytes) -> dict[str, bool]:
    """Each font's name and whether its glyphs are embedded, as pdffonts lists them."""
    fonts = {}
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in _font_dicts(page.get("/Resources")):
            described = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = described.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            fonts[str(font["/BaseFont"])] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    return fonts


def _images(content: bytes) -> int:
    return sum(
        1
        for page in PdfReader(io.BytesIO(content)).pages
        for xobject in _xobjects(page.get("/Resources"))
        if xobject.get("/Subtype") == "/Image"
    )


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://example.org/logo.png",
        "https://example.org/style.css",
        "scomm:/static/../../../etc/passwd",
        "scomm:/static/%2e%2e/%2e%2e/etc/passwd",
        "scomm:/media/../seal",
        "scomm:/media/someone-elses-seal",
        "data:text/css,body{}",
        "ftp://example.org/x",
    ],
)
def test_the_fetcher_refuses_anything_outside_the_project(url):
    fetcher = LocalOnlyFetcher(media={"seal": "/nonexistent/seal.png"})
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_serves_the_projects_static_files():
    response = LocalOnlyFetcher().fetch("scomm:/static/css/letter.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


def test_a_page_naming_local_files_and_outside_urls_renders_without_them(monkeypatch):
    """No file is read from disk and no request leaves the machine; the rest renders."""
    opened = []
    monkeypatch.setattr(
        urllib.request.OpenerDirector, "open", lambda *a, **k: opened.append(a) or 1 / 0
    )
    html = """<html><head>
      <link rel="stylesheet" href="file:///etc/passwd">
      <link rel="stylesheet" href="https://example.org/evil.css">
      <style>@import url("http://169.254.169.254/latest/meta-data");</style>
      </head><body><p>Kept text</p>
      <img src="file:///etc/passwd" alt="x"><img src="http://example.org/x.png" alt="y">
      <img src="/etc/hostname" alt="z">
      </body></html>"""
    content = pdf.render_html_pdf(html=html)
    assert content.startswith(b"%PDF-")
    text = _text(content)
    assert "Kept text" in text
    assert "root:" not in text
    assert opened == []


def test_a_letter_whose_text_names_a_file_prints_it_as_text(case, staff):
    letter = letters.letter_draft_create(case_id=case.pk, user=staff, template_key="notice-ice")
    letters.letter_draft_update(
        letter_id=letter.pk,
        user=staff,
        body='Hello <img src="file:///etc/passwd"> and <link rel=stylesheet href="http://example.org/x.css">',
    )
    letter.refresh_from_db()
    html = letters.letter_html(letter=letter)
    assert '<img src="file:///etc/passwd">' not in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    text = _text(letters.letter_render_pdf(letter=letter))
    assert 'src="file:///etc/passwd"' in text
    assert "root:" not in text


def test_letters_print_on_us_letter_with_the_fonts_embedded(case, staff):
    letter = letters.letter_draft_create(case_id=case.pk, user=staff, template_key="notice-sib")
    content = letters.letter_render_pdf(letter=letter)
    pages = PdfReader(io.BytesIO(content)).pages
    assert pages and all(
        (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)
        for page in pages
    )
    fonts = _fonts(content)
    assert fonts and all("DejaVu" in name for name in fonts)
    assert all(fonts.values())  # every font embedded


def test_the_seal_of_the_jurisdiction_is_drawn(case, staff, tmp_path, settings):
    from django.core.files.base import ContentFile

    from tests.correspondence.conftest import tiny_png

    case.jurisdiction.seal.save("seal.png", ContentFile(tiny_png()))
    letter = letters.letter_draft_create(case_id=case.pk, user=staff, template_key="notice-sib")
    with_seal = letters.letter_render_pdf(letter=letter)
    assert _images(with_seal) >= 1
    assert b"/Image" in with_seal or b"/Subtype /Image" in with_seal
