"""
Who acted on a case, as the public reads it: the office that asked to opt
out ("San Francisco Sheriff's Department"), never the account of the person
who typed the entry. Accounts are the jurisdiction's own business; the
public record names the office answerable for the request.

The name is worked out from the case's requesting body and its
jurisdiction, here only, so that the case page, the feeds, the API, the CSV
and the case file all say the same.
"""

from jurisdictions.models import Jurisdiction

from .models import CaseEvent, OptOutRequest, RequestingBody

# How each requesting body names its office. {place} is the jurisdiction's
# name without "County" ("San Francisco"), {name} its full name ("Santa
# Clara County"), {state} its state's. The keys are the requesting bodies,
# which are also jurisdictions' office kinds where an office signs letters.
OFFICE_NAMES = {
    "sheriff": "{place} Sheriff's Department",
    "county_counsel": "Office of the County Counsel, {name}",
    "board_of_supervisors": "{name} Board of Supervisors",
    "county_executive": "Office of the County Executive, {name}",
    "council": "{name} Council",
    "mayor": "Office of the Mayor, {place}",
    "police": "{place} Police Department",
    "city": "City of {place}",
    "governor": "Office of the Governor of {state}",
    "state_attorney_general": "Office of the Attorney General of {state}",
    "state_police": "{state} State Police",
}

# Events no office of the jurisdiction performs: ICE's schedule moving, the
# activation, the site's reminders, a bounce reported by the mail server.
NOT_BY_AN_OFFICE = frozenset({"activation", "schedule", "reminder", "delivery_failed"})

_KIND_WORDS = (" City and Borough", " Census Area", " County", " Parish", " Borough")


def _place(jurisdiction: Jurisdiction) -> str:
    """The name a local office goes by: "San Francisco County" -> "San Francisco"."""
    name = jurisdiction.name
    for word in _KIND_WORDS:
        if name.endswith(word) and len(name) > len(word):
            return name[: -len(word)]
    return name


def requesting_office(case: OptOutRequest) -> str:
    """
    The office that asked to opt out, named as the public would look for it.
    A requester of no listed kind is named as recorded.
    """
    jurisdiction = case.jurisdiction
    body = case.requesting_body
    pattern = OFFICE_NAMES.get(body)
    if pattern is None:
        named = getattr(case, "requesting_body_other", "") or case.requesting_official
        if named:
            return named
        label = dict(RequestingBody.choices).get(body, body.replace("_", " ").capitalize())
        return f"{label}, {jurisdiction.name}"
    # The state is read only for the state's own offices: the rest cost no query.
    state = jurisdiction.state.name if "{state}" in pattern else ""
    return pattern.format(place=_place(jurisdiction), name=jurisdiction.name, state=state)


def acting_office(event: CaseEvent) -> str | None:
    """
    The office to name beside a timeline event in public, or None when no
    person of the jurisdiction acted (ICE's schedule, a reminder, a bounce,
    mail filed by itself). Reads no user: only whether there was one.
    """
    if event.kind in NOT_BY_AN_OFFICE or event.actor_id is None:
        return None
    return requesting_office(event.request)
