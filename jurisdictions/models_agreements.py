"""
A state's agreement with ICE as dated records, and how precise a date of record is.

ICE signed its memorandum of agreement with each state's identification
bureau (D.C. with its police chief); states later revised, suspended, ended or
refused it, and in August 2011 ICE declared that no agreement was needed. Each
of these is one dated record, kept with its history, so that a state's page,
its cases' timelines, the API and the CSV tell the same story.
"""

import datetime

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class DatePrecision(models.TextChoices):
    """How much of a date of record the source gives: sources are often vaguer than a day."""

    DAY = "day", "On the day"
    MONTH = "month", "In the month"
    ON_OR_BEFORE = "on_or_before", "On or before"


def date_shown(day: datetime.date | None, precision: str) -> str:
    """A date as its precision allows: "Jan 23, 2009", "November 2009", "on or before Dec 31, 2010"."""
    if day is None:
        return ""
    if precision == DatePrecision.MONTH:
        return f"{day:%B %Y}"
    if precision == DatePrecision.ON_OR_BEFORE:
        return f"on or before {day:%b %-d, %Y}"
    return f"{day:%b %-d, %Y}"


class AgreementKind(models.TextChoices):
    SIGNED = "signed", "Agreement signed"
    REVISED = "revised", "Agreement revised"
    SUSPENDED = "suspended", "Agreement suspended"
    TERMINATED = "terminated", "Agreement ended or withdrawn"
    REFUSED = "refused", "Agreement refused"
    ICE_TERMINATED_ALL = "ice_terminated_all", "ICE ended all agreements"


class OptOutClause(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known"


# What the state's latest record says of its agreement now.
AGREEMENT_STATUS = {
    AgreementKind.SIGNED: "In force",
    AgreementKind.REVISED: "In force",
    AgreementKind.SUSPENDED: "Suspended",
    AgreementKind.TERMINATED: "Ended",
    AgreementKind.REFUSED: "Refused",
    AgreementKind.ICE_TERMINATED_ALL: "Not required by ICE",
}
NO_AGREEMENT = "None on record"


class StateAgreementEvent(models.Model):
    """One dated fact of a state's memorandum of agreement with ICE."""

    Kind = AgreementKind
    Precision = DatePrecision

    state = models.ForeignKey(
        "jurisdictions.State", on_delete=models.CASCADE, related_name="agreement_events"
    )
    kind = models.CharField(max_length=20, choices=AgreementKind.choices)
    occurred_on = models.DateField(
        "date of record",
        help_text="For a month, its first day; for “on or before”, the latest possible day.",
    )
    precision = models.CharField(
        "date precision", max_length=12, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    signed_by = models.CharField(
        "signed or decided by",
        max_length=200,
        blank=True,
        help_text="Who signed or decided for the state, as “Chief Cathy Lanier”.",
    )
    opt_out_clause = models.CharField(
        "opt-out clause",
        max_length=8,
        choices=OptOutClause.choices,
        default=OptOutClause.UNKNOWN,
        help_text="Whether the agreement lets a jurisdiction opt out.",
    )
    source = models.CharField(
        max_length=300, blank=True, help_text="The document or article this rests on."
    )
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "state agreement record"
        ordering = ["state__name", "occurred_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AgreementKind.values), name="agreement_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(precision__in=DatePrecision.values), name="agreement_precision_valid"
            ),
            models.CheckConstraint(
                condition=Q(opt_out_clause__in=OptOutClause.values),
                name="agreement_opt_out_clause_valid",
            ),
        ]
        indexes = [models.Index(fields=["state", "occurred_on"])]

    def __str__(self):
        return f"{self.get_kind_display()}, {self.state} ({self.date_shown})"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("jurisdictions:state", args=[self.state.postal_code])

    @property
    def date_shown(self) -> str:
        return date_shown(self.occurred_on, self.precision)

    @property
    def status(self) -> str:
        return AGREEMENT_STATUS.get(self.kind, NO_AGREEMENT)

    def clean(self):
        from django.core.exceptions import ValidationError
        from django.utils import timezone

        if self.occurred_on and self.occurred_on > timezone.localdate():
            raise ValidationError({"occurred_on": "This date is in the future."})
        if self.precision == DatePrecision.MONTH and self.occurred_on and self.occurred_on.day != 1:
            self.occurred_on = self.occurred_on.replace(day=1)
