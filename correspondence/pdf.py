"""
PDF rendering: the only module that imports WeasyPrint.

Pages are Django templates rendered with autoescape, then laid out by
WeasyPrint on US Letter paper. Every resource the HTML names (stylesheets,
the jurisdiction's seal, image attachments) goes through LocalOnlyFetcher,
which serves the project's static files and the files the caller allowed by
name, and refuses everything else: no file:// path a letter's text could
name, no request to another host.
"""

import logging
import posixpath
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# The base of every URL in a rendered page: "scomm:/static/css/letter.css",
# "scomm:/media/seal". A private scheme, so nothing resolves to disk or network.
BASE_URL = "scomm:/"
STATIC_PREFIX = "scomm:/static/"
MEDIA_PREFIX = "scomm:/media/"

_TYPES = {
    ".css": "text/css",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}


class RefusedURL(ValueError):
    """A page asked for something outside the project's own files."""


class LocalOnlyFetcher(URLFetcher):
    """
    Serves `scomm:/static/<path>` from the static files finders and
    `scomm:/media/<name>` from the files passed in `media` (a dict of name
    to absolute path, e.g. the seal of the letter's jurisdiction). Anything
    else raises, and WeasyPrint renders the page without it.
    """

    def __init__(self, media: dict[str, str] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.media = dict(media or {})
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        path = self._resolve(url)
        if path is None:
            self.refused.append(url)
            logger.info("Refused to fetch %s while rendering a PDF", url[:200])
            raise RefusedURL(f"Not one of the project's files: {url[:200]}")
        extension = posixpath.splitext(path)[1].lower()
        with open(path, "rb") as handle:
            body = handle.read()
        return URLFetcherResponse(
            url, body, {"Content-Type": _TYPES.get(extension, "application/octet-stream")}
        )

    def _resolve(self, url: str) -> str | None:
        if url.startswith("data:"):
            return None
        if url.startswith(STATIC_PREFIX):
            relative = unquote(urlsplit(url).path)[len("/static/") :]
            clean = posixpath.normpath(relative)
            if clean.startswith(("..", "/")) or "\\" in clean or "\x00" in clean:
                return None
            return finders.find(clean)
        if url.startswith(MEDIA_PREFIX):
            name = unquote(urlsplit(url).path)[len("/media/") :]
            return self.media.get(name)
        return None


_fonts = None


def _font_config() -> FontConfiguration:
    # One per process: fontconfig's lookup of the system fonts is the slow part.
    global _fonts
    if _fonts is None:
        _fonts = FontConfiguration()
    return _fonts


def render_html_pdf(*, html: str, media: dict[str, str] | None = None) -> bytes:
    """Lay out an HTML page already built from escaped data; return the PDF."""
    fetcher = LocalOnlyFetcher(media=media)
    fonts = _font_config()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(font_config=fonts)


def render_letter_pdf(*, template_name: str, context: dict, media=None) -> bytes:
    """Render a Django template (autoescaped) to a US Letter PDF: a letter, as it prints."""
    return render_html_pdf(html=render_to_string(template_name, context), media=media)


def render_bare_pdf(*, html: str, css: str = "") -> bytes:
    """WeasyPrint with its defaults and nothing of ours: the benchmark's yardstick."""
    stylesheets = [CSS(string=css)] if css else None
    return HTML(string=html).write_pdf(stylesheets=stylesheets)
