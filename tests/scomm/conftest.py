"""
The private stack the fault tests share (tests/scomm/stack.py), started once
for the session, and the table of what each fault produced, printed at the
end (pytest -s) for the README to quote.
"""

import os

import pytest

from tests.conftest import IN_CI, need

FAULT_TABLE: list[dict] = []


@pytest.fixture(scope="session")
def stack():
    from .stack import Stack, missing_tools

    need(
        IN_CI or os.environ.get("SCOMM_TEST_FAULTS") == "1",
        "CI=true or SCOMM_TEST_FAULTS=1 to start the private fault-test stack",
    )
    missing = missing_tools()
    need(not missing, "the tools of the private stack: " + ", ".join(missing))
    stack = Stack()
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        if FAULT_TABLE:
            print("\n" + fault_table())


def fault_table() -> str:
    columns = [
        "fault",
        "requests",
        "5xx",
        "failed writes",
        "emails expected",
        "delivered",
        "doubled",
    ]
    rows = [[str(row.get(c, "")) for c in columns] for row in FAULT_TABLE]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]

    def line(cells):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join(
        [line(columns), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)]
    )
