import subprocess
import urllib.request

import pytest

from correspondence import pdf, services
from correspondence.pdf import LocalOnlyFetcher, RefusedURL

pytestmark = pytest.mark.django_db


def _text(content: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _info(content: bytes, tmp_path, tool="pdfinfo") -> str:
    path = tmp_path / "info.pdf"
    path.write_bytes(content)
    return subprocess.run([tool, str(path)], capture_output=True, text=True, check=True).stdout


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


def test_a_page_naming_local_files_and_outside_urls_renders_without_them(tmp_path, monkeypatch):
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
    text = _text(content, tmp_path)
    assert "Kept text" in text
    assert "root:" not in text
    assert opened == []


def test_a_letter_whose_text_names_a_file_prints_it_as_text(case, staff, tmp_path):
    letter = services.letter_draft_create(case_id=case.pk, user=staff, template_key="notice-ice")
    services.letter_draft_update(
        letter_id=letter.pk,
        user=staff,
        body='Hello <img src="file:///etc/passwd"> and <link rel=stylesheet href="http://example.org/x.css">',
    )
    letter.refresh_from_db()
    html = services.letter_html(letter=letter)
    assert '<img src="file:///etc/passwd">' not in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    text = _text(services.letter_render_pdf(letter=letter), tmp_path)
    assert 'src="file:///etc/passwd"' in text
    assert "root:" not in text


def test_letters_print_on_us_letter_with_the_fonts_embedded(case, staff, tmp_path):
    letter = services.letter_draft_create(case_id=case.pk, user=staff, template_key="notice-sib")
    content = services.letter_render_pdf(letter=letter)
    assert "612 x 792 pts (letter)" in _info(content, tmp_path)
    fonts = _info(content, tmp_path, tool="pdffonts")
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("DejaVu" in row for row in rows)
    assert all(" yes " in row.split("Identity-H")[-1] for row in rows)  # emb column


def test_the_seal_of_the_jurisdiction_is_drawn(case, staff, tmp_path, settings):
    from django.core.files.base import ContentFile

    from tests.correspondence.conftest import tiny_png

    case.jurisdiction.seal.save("seal.png", ContentFile(tiny_png()))
    letter = services.letter_draft_create(case_id=case.pk, user=staff, template_key="notice-sib")
    with_seal = services.letter_render_pdf(letter=letter)
    listing = subprocess.run(
        ["pdfimages", "-list", "-"], input=with_seal, capture_output=True, check=False
    )
    if listing.returncode == 0:
        assert len(listing.stdout.decode().splitlines()) >= 3  # header, rule, one image
    assert b"/Image" in with_seal or b"/Subtype /Image" in with_seal
