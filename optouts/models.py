"""
The opt-out request (a case): one attempt by one jurisdiction to stay out of
Secure Communities, from the written notice to ICE and the SIB to a resolution.

The stage moves only through optouts.services, along optouts.transitions.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from jurisdictions.models import Jurisdiction

from .choices import REFERENCE_LABELS, CaseScope, DeliveryMethod, RequestingBody
from .facts import DatePrecision, MeetingParty, date_display
from .proofs import receipt_proof_path, receipt_storage
from .stages import OPEN_STAGES, Outcome, Stage, is_public_stage


class OptOutRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(stage__in=OPEN_STAGES)

    def with_has_delivery(self):
        """Annotate `has_delivery`: a copy of the notice went to someone."""
        return self.annotate(
            has_delivery=models.Exists(Delivery.objects.filter(request=models.OuterRef("pk")))
        )

    @staticmethod
    def public_q() -> Q:
        """The cases of is_public_stage, for a queryset made with_has_delivery()."""
        return ~(Q(stage__in=[Stage.DRAFT, Stage.WITHDRAWN]) & Q(has_delivery=False))

    def public(self):
        """The cases everyone may see (is_public_stage)."""
        return self.with_has_delivery().filter(self.public_q())

    def with_requested_after_activation(self):
        """Annotate `requested_after_activation`: opened on or after the activation."""
        activation = models.F("jurisdiction__actual_activation")
        return self.annotate(
            requested_after_activation=models.ExpressionWrapper(
                Q(jurisdiction__actual_activation__isnull=False, opened_on__gte=activation),
                output_field=models.BooleanField(),
            )
        )

    def with_activated_while_pending(self):
        """
        Annotate `activated_while_pending`: the jurisdiction was activated on or
        after the case opened and before it closed (derived, so never stale).
        """
        activation = models.F("jurisdiction__actual_activation")
        return self.annotate(
            activated_while_pending=models.ExpressionWrapper(
                Q(jurisdiction__actual_activation__isnull=False)
                & Q(opened_on__lte=activation)
                & (Q(closed_on__isnull=True) | Q(closed_on__gte=activation)),
                output_field=models.BooleanField(),
            )
        )


# The case list's default order, open requests first (optouts.filters), its stages
# in one fixed order: the index below has the very expression the list sorts by.
OPEN_FIRST = models.Case(
    models.When(stage__in=sorted(OPEN_STAGES), then=models.Value(0)), default=models.Value(1)
)


class OptOutRequest(models.Model):
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="optout_requests"
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.DRAFT)
    requesting_official = models.CharField(
        max_length=200, help_text="Who asks: for example “Sheriff Michael Hennessey”."
    )
    requesting_body = models.CharField(
        max_length=24, choices=RequestingBody.choices, default=RequestingBody.SHERIFF
    )
    requesting_body_other = models.CharField(
        "name of the requester",
        max_length=200,
        blank=True,
        help_text="Who wrote, when none of the listed offices did.",
    )
    scope = models.CharField(
        max_length=12, choices=CaseScope.choices, default=CaseScope.JURISDICTION
    )
    reasons = models.TextField(
        blank=True, help_text="Why the jurisdiction does not wish to activate. Public."
    )
    opened_on = models.DateField(default=timezone.localdate)
    opened_precision = models.CharField(
        max_length=12, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    stage_entered_at = models.DateTimeField(default=timezone.now)
    closed_on = models.DateField(null=True, blank=True)
    scheduled_activation_at_filing = models.DateField(
        null=True,
        blank=True,
        help_text="The jurisdiction's scheduled activation date when the notice was filed.",
    )
    meeting_at = models.DateTimeField(null=True, blank=True)
    meeting_location = models.CharField(max_length=300, blank=True)
    # The latest postponement or cancellation (each one is on the timeline).
    meeting_was_at = models.DateTimeField("meeting postponed or cancelled", null=True, blank=True)
    meeting_change_by = models.CharField(max_length=12, choices=MeetingParty.choices, blank=True)
    meeting_change_reason = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_new_activation = models.DateField("new activation date", null=True, blank=True)
    outcome_text = models.TextField("resolution", blank=True)
    reopens = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reopened_by",
        help_text="The denied request this one renews.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = OptOutRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "opt-out request"
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="optout_stage_valid"),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=Outcome.values),
                name="optout_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(opened_precision__in=DatePrecision.values)
                & (Q(meeting_change_by="") | Q(meeting_change_by__in=MeetingParty.values)),
                name="optout_opened_precision_and_meeting_party_valid",
            ),
            models.CheckConstraint(
                condition=Q(requesting_body__in=RequestingBody.values),
                name="optout_requesting_body_valid",
            ),
            models.CheckConstraint(
                condition=~Q(requesting_body="other") | ~Q(requesting_body_other=""),
                name="optout_other_requester_named",
                violation_error_message="Name the requester when it is none of the listed offices.",
            ),
            models.CheckConstraint(
                condition=Q(scope__in=CaseScope.values), name="optout_scope_valid"
            ),
            models.CheckConstraint(
                condition=(Q(stage=Stage.RESOLVED) & ~Q(outcome=""))
                | (~Q(stage=Stage.RESOLVED) & Q(outcome="")),
                name="optout_outcome_iff_resolved",
                violation_error_message="A resolved request has an outcome, and only then.",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.DATE_ADJUSTED)
                | Q(outcome_new_activation__isnull=False),
                name="optout_adjusted_has_date",
                violation_error_message="An adjusted activation date needs the new date.",
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "stage_entered_at"]),
            # The case list, longest waiting first.
            models.Index(fields=["stage_entered_at", "id"], name="optout_waiting_longest"),
            models.Index(fields=["jurisdiction", "stage"]),
            # The case list's first page, open first and longest waiting
            # first, read from the index: fifty keys, not a sort of every case.
            models.Index(OPEN_FIRST, F("stage_entered_at"), F("id"), name="optout_open_first"),
        ]

    def __str__(self):
        return f"Opt-out request of {self.jurisdiction} ({self.opened_on:%b %-d, %Y})"

    def get_absolute_url(self):
        return reverse("optouts:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def is_state_level(self) -> bool:
        """A case about the whole state (CaseScope.STATE), not one jurisdiction."""
        return self.scope == CaseScope.STATE

    @property
    def requester_display(self) -> str:
        """Who asked, in words: the requester's own name when none of the listed offices."""
        if self.requesting_body == RequestingBody.OTHER and self.requesting_body_other:
            return self.requesting_body_other
        return self.get_requesting_body_display()

    @property
    def is_public(self) -> bool:
        """Whether everyone may see this case (is_public_stage); reads its deliveries once."""
        has_delivery = getattr(self, "has_delivery", None)
        if has_delivery is None:
            has_delivery = bool(self.deliveries.all()) if self.pk else False
        return is_public_stage(self.stage, has_delivery)

    @property
    def is_requested_after_activation(self) -> bool:
        """The same rule as with_requested_after_activation, for a case in memory."""
        if hasattr(self, "requested_after_activation"):
            return bool(self.requested_after_activation)
        activated = self.jurisdiction.actual_activation
        return bool(activated and self.opened_on >= activated)

    @property
    def opened_display(self) -> str:
        return date_display(self.opened_on, self.opened_precision)

    @property
    def is_notice_partly_sent(self) -> bool:
        """A draft some copy of the notice went out of: public, not yet "notice sent"."""
        return self.stage == Stage.DRAFT and self.is_public

    @property
    def is_activated_while_pending(self) -> bool:
        """The same rule as the queryset annotation, for a case already in memory."""
        if hasattr(self, "activated_while_pending"):
            return bool(self.activated_while_pending)
        activated = self.jurisdiction.actual_activation
        return bool(
            activated
            and self.opened_on <= activated
            and (self.closed_on is None or activated <= self.closed_on)
        )

    def days_in_stage(self, today=None) -> int:
        today = today or timezone.localdate()
        return max((today - timezone.localtime(self.stage_entered_at).date()).days, 0)

    def days_until_activation(self, today=None) -> int | None:
        scheduled = self.jurisdiction.scheduled_activation
        if scheduled is None or self.jurisdiction.actual_activation:
            return None
        return (scheduled - (today or timezone.localdate())).days

    @property
    def activation_date_moved(self) -> bool:
        return (
            self.is_open
            and self.scheduled_activation_at_filing is not None
            and self.jurisdiction.scheduled_activation != self.scheduled_activation_at_filing
        )

    @property
    def activation_date_moved_earlier(self) -> bool:
        scheduled = self.jurisdiction.scheduled_activation
        return bool(
            self.activation_date_moved
            and scheduled
            and scheduled < self.scheduled_activation_at_filing
        )


class Recipient(models.TextChoices):
    SIB = "sib", "State Identification Bureau"
    ICE = "ice", "ICE"
    ATTORNEY_GENERAL = "attorney_general", "State Attorney General"
    GOVERNOR = "governor", "Governor"
    OTHER = "other", "Other"


class DeliveryStatus(models.TextChoices):
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """
    One written copy of the notice, sent to one recipient by one method. A
    copy that failed (an email bounced) stays on record but no longer counts
    as having reached its recipient.
    """

    Status = DeliveryStatus

    request = models.ForeignKey(OptOutRequest, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.CharField(max_length=20, choices=Recipient.choices)
    recipient_name = models.CharField(
        max_length=200, help_text="The office and person addressed, as on the letter."
    )
    method = models.CharField(max_length=10, choices=DeliveryMethod.choices)
    sent_on = models.DateField()
    reference = models.CharField(
        max_length=200, blank=True, help_text="Tracking number, fax confirmation or message id."
    )
    # The receipt, recorded later (optouts.services.receipts): when the copy
    # arrived, who signed for or acknowledged it, and the proof.
    received_on = models.DateField("received", null=True, blank=True)
    received_by = models.CharField(
        "signed or acknowledged by",
        max_length=200,
        blank=True,
        help_text="The name on the return receipt card, or who answered the email or fax.",
    )
    receipt_proof = models.FileField(
        "proof of receipt",
        upload_to=receipt_proof_path,
        storage=receipt_storage,
        blank=True,
        max_length=200,
    )
    receipt_proof_name = models.CharField(
        max_length=200, blank=True, help_text="The proof's file name as uploaded, for display."
    )
    status = models.CharField(max_length=6, choices=DeliveryStatus.choices, default="sent")
    failed_on = models.DateField(null=True, blank=True)
    failure = models.CharField(
        max_length=300, blank=True, help_text="Why the copy did not arrive (a bounce's reason)."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["sent_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__in=Recipient.values), name="delivery_recipient_valid"
            ),
            models.CheckConstraint(
                condition=Q(method__in=DeliveryMethod.values), name="delivery_method_valid"
            ),
            models.CheckConstraint(
                condition=Q(received_on__isnull=True) | Q(received_on__gte=models.F("sent_on")),
                name="delivery_received_after_sent",
                violation_error_message="A copy cannot be received before it was sent.",
            ),
            models.CheckConstraint(
                condition=Q(received_on__isnull=False) | (Q(received_by="") & Q(receipt_proof="")),
                name="delivery_receipt_has_date",
                violation_error_message="A receipt has the date the copy was received.",
            ),
            models.CheckConstraint(
                condition=Q(status="sent", failed_on__isnull=True)
                | Q(status="failed", failed_on__isnull=False),
                name="delivery_failed_has_date",
                violation_error_message="A failed copy has the date it failed, and only then.",
            ),
        ]

    def __str__(self):
        return f"{self.get_method_display()} to {self.recipient_name} on {self.sent_on}"

    @property
    def reference_label(self) -> str:
        """What the reference is for this method: a tracking number, a message ID..."""
        return REFERENCE_LABELS.get(self.method, "reference")


class EventKind(models.TextChoices):
    CREATED = "created", "Request drafted"
    STAGE = "stage", "Stage changed"
    DELIVERY = "delivery", "Notice sent"
    RECEIPT = "receipt", "Notice received"
    REPLY = "reply", "Reply received"
    NOTE = "note", "Note"
    ACTIVATION = "activation", "Jurisdiction activated"
    SCHEDULE = "schedule", "Activation date changed"
    CORRESPONDENCE = "correspondence", "Correspondence"
    REMINDER = "reminder", "Reminder sent"
    DELIVERY_FAILED = "delivery_failed", "Delivery failed"


class CaseEvent(models.Model):
    """One line of a case's timeline: a move, a delivery, a reply, a note."""

    Kind = EventKind

    request = models.ForeignKey(OptOutRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    occurred_on = models.DateField("date of record", default=timezone.localdate)
    date_precision = models.CharField(
        max_length=12, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    summary = models.TextField()
    source = models.CharField(
        "source document",
        max_length=300,
        blank=True,
        help_text="The letter, email, call or article this event rests on.",
    )
    is_public = models.BooleanField(default=True)

    class Meta:
        ordering = ["occurred_on", "recorded_at", "id"]
        indexes = [
            models.Index(fields=["request", "occurred_on"]),
            # The overview's latest and the feeds: public entries, newest first.
            models.Index(
                fields=["-occurred_on", "-recorded_at", "-id"],
                condition=Q(is_public=True),
                name="event_public_newest_first",
            ),
            # Each step's dates (public.selectors.cases_for_export): public stage moves only.
            models.Index(
                fields=["request", "to_stage", "occurred_on"],
                condition=Q(kind="stage", is_public=True),
                name="event_public_stage_moves",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid"),
            models.CheckConstraint(
                condition=Q(date_precision__in=DatePrecision.values),
                name="event_date_precision_valid",
            ),
        ]

    def __str__(self):
        return f"{self.occurred_on}: {self.summary[:60]}"

    @property
    def date_is_approximate(self) -> bool:
        """Whether the date of record is less than a day (kept for the API and the CSV)."""
        return self.date_precision != DatePrecision.DAY

    @property
    def date_display(self) -> str:
        return date_display(self.occurred_on, self.date_precision)


from .models_tally import CaseCount, JurisdictionCases  # noqa: E402, F401 - kept counts
