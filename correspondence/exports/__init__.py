"""
What counsel and the public take away from a case: the case file as one PDF
(case_file), the ZIP of originals (originals), and the exports built from
them in the background (jobs).
"""

from .jobs import (
    case_export_build,
    case_export_check,
    case_export_request,
    exports_expire,
    exports_fail_lost,
)
from .originals import case_file_zip


def case_file_pdf(**kwargs) -> bytes:
    """The case file as one PDF (case_file.case_file_pdf), pypdf loaded only when one is built."""
    from .case_file import case_file_pdf as build

    return build(**kwargs)


__all__ = [
    "case_export_build",
    "case_export_check",
    "case_export_request",
    "case_file_pdf",
    "case_file_zip",
    "exports_expire",
    "exports_fail_lost",
]
