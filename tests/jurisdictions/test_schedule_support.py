"""Builders shared by the deployment schedule tests (this module holds no test)."""

import csv
import datetime
import io

import openpyxl

from jurisdictions.models import Jurisdiction, ScheduleVersion, State
from optouts.models import CaseEvent

HEADER = [
    "State",
    "Jurisdiction",
    "FIPS code",
    "Scheduled activation date",
    "Actual activation date",
]


def csv_bytes(rows, header=HEADER, *, bom=False, delimiter=",", newline="\r\n") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows, header=HEADER, *, title=None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    if header is not None:
        sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def directory() -> dict[str, Jurisdiction]:
    """A small directory with the names that make matching hard; idempotent."""
    ca, _ = State.objects.get_or_create(
        fips="06", defaults={"name": "California", "postal_code": "CA"}
    )
    va, _ = State.objects.get_or_create(
        fips="51", defaults={"name": "Virginia", "postal_code": "VA"}
    )
    dc, _ = State.objects.get_or_create(
        fips="11", defaults={"name": "District of Columbia", "postal_code": "DC"}
    )
    rows = [
        ("la", ca, "Los Angeles County", "06037", "county"),
        ("sf", ca, "San Francisco County", "06075", "county"),
        ("santa_clara", ca, "Santa Clara County", "06085", "county"),
        ("fairfax", va, "Fairfax County", "51059", "county"),
        ("fairfax_city", va, "Fairfax city", "51600", "independent_city"),
        ("arlington", va, "Arlington County", "51013", "county"),
        ("dc", dc, "District of Columbia", "11001", "district"),
        # Two names that normalise alike: only the FIPS code tells them apart.
        ("example_county", ca, "Example County", "", "county"),
        ("example_parish", ca, "Example Parish", "", "parish"),
    ]
    found = {}
    for key, state, name, fips, kind in rows:
        found[key], _ = Jurisdiction.objects.get_or_create(
            state=state, name=name, defaults={"fips": fips, "kind": kind}
        )
    return found


def snapshot() -> tuple:
    """Everything a schedule may write, to prove that a refused one wrote nothing."""
    return (
        list(
            Jurisdiction.objects.order_by("pk").values_list(
                "pk", "scheduled_activation", "actual_activation", "plan_status"
            )
        ),
        Jurisdiction.history.count(),
        ScheduleVersion.objects.filter(status=ScheduleVersion.Status.APPLIED).count(),
        CaseEvent.objects.count(),
    )


D = datetime.date
