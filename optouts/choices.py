"""
The words a case is recorded in that are the cases' own: who asked, what a
case is about, how a copy of the notice went. Kept apart from the models so
that forms and exports can read them without the models' machinery;
optouts.models re-exports them.
"""

from django.db import models


class RequestingBody(models.TextChoices):
    """
    Who wrote, as they were: county offices, city offices, and the state's
    own (a governor suspending the state's participation). The keys of the
    offices that also sign letters match jurisdictions' office kinds.
    """

    SHERIFF = "sheriff", "Sheriff"
    POLICE = "police", "Police department"
    BOARD = "board_of_supervisors", "County board (board of supervisors)"
    EXECUTIVE = "county_executive", "County executive"
    COUNSEL = "county_counsel", "County counsel"
    COUNCIL = "council", "Council"
    MAYOR = "mayor", "Mayor"
    CITY = "city", "City or town"
    GOVERNOR = "governor", "Governor"
    ATTORNEY_GENERAL = "state_attorney_general", "State attorney general"
    STATE_POLICE = "state_police", "State police or SIB"
    OTHER = "other", "Other (named)"


class CaseScope(models.TextChoices):
    """
    What a case is about. A state-level case (a governor suspending or ending
    the state's agreement) keeps the case's jurisdiction field, pointing at
    the state's own statewide entry in the directory (services.statewide_entry), so
    that every page, export, feed and reminder keyed by a jurisdiction works
    for it unchanged; its page lists the state's counties instead of one
    jurisdiction's dates.
    """

    JURISDICTION = "jurisdiction", "One jurisdiction"
    STATE = "state", "The whole state"


class DeliveryMethod(models.TextChoices):
    """
    How a copy went. "letter" (first-class mail, with nothing to prove it
    arrived) stays for the copies recorded before certified mail and hand
    delivery could be told apart.
    """

    CERTIFIED = "certified", "Certified mail"
    EMAIL = "email", "Email"
    FAX = "fax", "Fax"
    HAND = "hand", "Hand delivery"
    LETTER = "letter", "Letter (first-class mail)"


# What a copy's reference is, by method, as the timeline and the notice table name it.
REFERENCE_LABELS = {
    DeliveryMethod.CERTIFIED: "tracking",
    DeliveryMethod.LETTER: "tracking",
    DeliveryMethod.EMAIL: "message ID",
    DeliveryMethod.FAX: "fax confirmation",
    DeliveryMethod.HAND: "reference",
}
