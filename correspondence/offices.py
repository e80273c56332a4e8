"""
The office a letter speaks for. A letter template names one of the
jurisdiction's offices (the sheriff, county counsel, the board...), or none
for "the office that makes the request"; the letter takes its letterhead,
return address and signatory from that office. A jurisdiction that has not
described an office yet still gets a sensible letterhead: for the sheriff
the jurisdiction's own letterhead and signatory (what every letter carried
before offices existed), for the others the office's name and no signatory,
which sending refuses until someone signs.
"""

from django.db import transaction

from jurisdictions.models import Jurisdiction, Office, OfficeKind

OFFICE_FIELDS = ("letterhead", "return_address", "signatory_name", "signatory_title")


def office_kind_for(*, template_office: str, case) -> str:
    """The office a letter from this template speaks for, on this case."""
    if template_office:
        return template_office
    if case.requesting_body in OfficeKind.values:
        return case.requesting_body
    return OfficeKind.SHERIFF


def office_default(*, jurisdiction: Jurisdiction, kind: str) -> Office:
    """An unsaved office for a jurisdiction that has not described it yet."""
    office = Office(jurisdiction=jurisdiction, kind=kind)
    if kind == OfficeKind.SHERIFF:
        office.letterhead = jurisdiction.letterhead
        office.signatory_name = jurisdiction.signatory_name
        office.signatory_title = jurisdiction.signatory_title
    return office


def office_for(*, jurisdiction: Jurisdiction, kind: str) -> Office:
    """The jurisdiction's office of this kind, saved or as it would start."""
    kind = kind or OfficeKind.SHERIFF
    office = Office.objects.filter(jurisdiction=jurisdiction, kind=kind).first()
    return office or office_default(jurisdiction=jurisdiction, kind=kind)


def offices_of(*, jurisdiction: Jurisdiction) -> list[Office]:
    """Every kind of office, saved ones as they are and the others as they would start."""
    saved = {o.kind: o for o in Office.objects.filter(jurisdiction=jurisdiction)}
    return [
        saved.get(kind) or office_default(jurisdiction=jurisdiction, kind=kind)
        for kind in OfficeKind.values
    ]


def office_letterhead_lines(office: Office) -> list[str]:
    """The letterhead as printed: the office's lines, or its name and the jurisdiction's."""
    lines = [line.strip() for line in office.letterhead.splitlines() if line.strip()]
    jurisdiction = office.jurisdiction
    return lines or [office.get_kind_display(), f"{jurisdiction.name}, {jurisdiction.state.name}"]


def office_return_lines(office: Office) -> list[str]:
    return [line.strip() for line in office.return_address.splitlines() if line.strip()]


@transaction.atomic
def office_save(*, jurisdiction_id: int, kind: str, user, **fields) -> Office:
    """
    Describe one office of a jurisdiction: what its letters print at their
    head and foot. Drafts print the new letterhead at once; sent letters
    keep the one they were sent with.
    """
    unknown = set(fields) - set(OFFICE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    jurisdiction = Jurisdiction.objects.select_related("state").get(pk=jurisdiction_id)
    office = Office.objects.select_for_update().filter(
        jurisdiction=jurisdiction, kind=kind
    ).first() or office_default(jurisdiction=jurisdiction, kind=kind)
    for name, value in fields.items():
        setattr(office, name, (value or "").strip())
    office._history_user = user
    office._change_reason = "Letterhead edited"
    office.full_clean()
    office.save()
    return office
