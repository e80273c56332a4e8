"""
Followers: anyone may follow a case, a jurisdiction or a state by email,
without an account. A follow counts only once its address is confirmed
(double opt-in); every email carries a one-click unsubscribe link.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse

from jurisdictions.models import Jurisdiction, State
from optouts.models import CaseEvent, OptOutRequest


class Follow(models.Model):
    email = models.EmailField()
    case = models.ForeignKey(
        OptOutRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    state = models.ForeignKey(
        State, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    # The confirmation email asked for at confirmation_sent_at: its Message-ID,
    # kept before it is sent, and when the mail server took it.
    confirmation_message_id = models.CharField(max_length=255, blank=True, default="")
    confirmation_emailed_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(case__isnull=False, jurisdiction__isnull=True, state__isnull=True)
                    | Q(case__isnull=True, jurisdiction__isnull=False, state__isnull=True)
                    | Q(case__isnull=True, jurisdiction__isnull=True, state__isnull=False)
                ),
                name="follow_exactly_one_target",
                violation_error_message="Follow one case, one jurisdiction or one state.",
            ),
            models.UniqueConstraint(
                fields=["email", "case"], condition=Q(case__isnull=False), name="follow_unique_case"
            ),
            models.UniqueConstraint(
                fields=["email", "jurisdiction"],
                condition=Q(jurisdiction__isnull=False),
                name="follow_unique_jurisdiction",
            ),
            models.UniqueConstraint(
                fields=["email", "state"],
                condition=Q(state__isnull=False),
                name="follow_unique_state",
            ),
        ]
        indexes = [models.Index(fields=["confirmed_at"])]

    def __str__(self):
        return f"{self.email} follows {self.target_label}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def target(self):
        return self.case or self.jurisdiction or self.state

    @property
    def target_label(self) -> str:
        if self.case_id:
            return f"the opt-out request of {self.case.jurisdiction}"
        if self.jurisdiction_id:
            return str(self.jurisdiction)
        return str(self.state)

    @property
    def target_url(self) -> str:
        if self.case_id:
            return self.case.get_absolute_url()
        if self.jurisdiction_id:
            return self.jurisdiction.get_absolute_url()
        return reverse("optouts:list") + f"?state={self.state.postal_code}"


class FollowNotice(models.Model):
    """
    One email to one address about one event. The unique row makes the notice
    go out once, however often the task runs and however many of the case,
    its jurisdiction and its state the address follows.
    """

    email = models.EmailField()
    follow = models.ForeignKey(
        Follow,
        on_delete=models.SET_NULL,
        null=True,
        related_name="notices",
        help_text="The follow whose unsubscribe link the email carries.",
    )
    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Kept with the row, before the email is sent: a retried send reuses it.
    message_id = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["email", "event"], name="follow_notice_once"),
        ]

    def __str__(self):
        return f"Notice of event {self.event_id} to {self.email}"
