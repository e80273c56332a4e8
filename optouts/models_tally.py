"""The counts of cases kept with every change (optouts.tally), and each county's "pending"."""

from django.db import models

from jurisdictions.models import Jurisdiction

from .stages import Outcome, Stage


class CaseCount(models.Model):
    """
    How many cases there are of each kind the overview counts (stage,
    outcome, activated while pending, month filed, public or not), kept
    up to date by optouts.tally in the transaction of every change: the
    overview reads these few hundred rows, whatever the number of cases.
    """

    stage = models.CharField(max_length=20, choices=Stage.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    activated_while_pending = models.BooleanField()
    month = models.DateField(help_text="The first day of the month the cases were filed.")
    is_public = models.BooleanField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "outcome", "activated_while_pending", "month", "is_public"],
                name="case_count_once_per_kind",
            )
        ]

    def __str__(self):
        return f"{self.n} × {self.stage}/{self.outcome or '-'} {self.month:%Y-%m}"


class JurisdictionCases(models.Model):
    """
    What one jurisdiction's cases add to the counts (CaseCount), and whether
    an opt-out of its is pending: kept by optouts.tally with the counts, so
    that the map, the lists and the API read a county's status from one row.
    """

    jurisdiction = models.OneToOneField(
        Jurisdiction, on_delete=models.CASCADE, primary_key=True, related_name="case_tally"
    )
    pending = models.BooleanField(default=False)
    # Whether a public case of theirs was activated while pending: the
    # overview lists the latest of those without reading every case.
    activated_while_pending = models.BooleanField(default=False)
    # Those cases' ids, the first ten: the overview's list is merged from
    # these rows, never sorted from every case.
    activated_while_pending_ids = models.JSONField(default=list)
    # The jurisdiction's part of CaseCount: {"stage|outcome|awp|YYYY-MM-DD|public": n}.
    counted = models.JSONField(default=dict)

    def __str__(self):
        return f"{self.jurisdiction_id}: {'pending' if self.pending else 'not pending'}"
