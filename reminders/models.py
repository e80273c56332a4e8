"""
Reminders for stalled cases.

A ReminderRule says when a case is stuck (an admin edits the defaults). The
sweep writes one Reminder row per case, rule and due date: that unique row is
what makes a reminder go out once, however often and wherever the sweep runs.
Each recipient gets a Notification (the bell, the notifications page), and an
email now or in the daily digest, as their ReminderPreference says.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from optouts.models import OptOutRequest, Stage


def parse_days(text: str) -> list[int]:
    """ "30, 14, 7, 1" -> [30, 14, 7, 1]; raises ValidationError on anything else."""
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    if not parts:
        raise ValidationError("Give at least one number of days.")
    days = []
    for part in parts:
        if not part.isdigit():
            raise ValidationError(f"“{part}” is not a whole number of days.")
        value = int(part)
        if value > 3650:
            raise ValidationError("A reminder is at most 3,650 days from its date.")
        days.append(value)
    return sorted(set(days), reverse=True)


class Anchor(models.TextChoices):
    STAGE_ENTERED = "stage_entered", "the day the case entered the stage"
    LAST_CHANGE = "last_change", "the last entry on the case's timeline"
    MEETING = "meeting", "the meeting date"
    ACTIVATION = "activation", "the jurisdiction's scheduled activation date"


class ReminderRule(models.Model):
    """When a case counts as stalled, and what the reminder says."""

    Anchor = Anchor

    code = models.SlugField(max_length=40, unique=True, help_text="A fixed name for this rule.")
    name = models.CharField(max_length=120)
    stage = models.CharField(
        max_length=20,
        choices=Stage.choices,
        blank=True,
        help_text="The stage the case must be in. Blank: any open stage.",
    )
    anchor = models.CharField("counted from", max_length=20, choices=Anchor.choices)
    before = models.BooleanField(
        "count days before the date",
        default=False,
        help_text="For a date ahead (a meeting, an activation): remind this many days before it.",
    )
    days = models.CharField(
        max_length=60,
        default="7",
        help_text="A number of days, or several separated by commas (“30, 14, 7, 1”).",
    )
    business_days = models.BooleanField(
        default=False, help_text="Count weekdays that are not US federal holidays."
    )
    repeat_every = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Repeat every this many days while the case stays where it is. Blank: once.",
    )
    message = models.TextField(help_text="What the reminder tells the people responsible.")
    is_urgent = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-is_urgent", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(anchor__in=Anchor.values), name="reminder_rule_anchor_valid"
            ),
            models.CheckConstraint(
                condition=Q(stage="") | Q(stage__in=Stage.values),
                name="reminder_rule_stage_valid",
            ),
            models.CheckConstraint(
                condition=Q(repeat_every__isnull=True) | Q(repeat_every__gte=1),
                name="reminder_rule_repeat_positive",
                violation_error_message="A reminder repeats every one day or more.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        try:
            parse_days(self.days)
        except ValidationError as exc:
            errors["days"] = exc.messages
        if self.anchor in (Anchor.STAGE_ENTERED, Anchor.LAST_CHANGE) and self.before:
            errors["before"] = "Days before only make sense for a date ahead (meeting, activation)."
        if self.before and self.repeat_every:
            errors["repeat_every"] = "A reminder before a date does not repeat; give several days."
        if self.anchor == Anchor.MEETING and self.stage not in ("", Stage.MEETING_SCHEDULED):
            errors["stage"] = "Only a case with a meeting scheduled has a meeting date."
        if errors:
            raise ValidationError(errors)

    @property
    def day_list(self) -> list[int]:
        return parse_days(self.days)


class ReminderStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Not sent: the case moved on"


class Reminder(models.Model):
    """
    One reminder of one rule for one case on one due date. The unique row is
    the outbox: written by the sweep, claimed, then marked sent by one task.
    """

    Status = ReminderStatus

    case = models.ForeignKey(OptOutRequest, on_delete=models.CASCADE, related_name="reminders")
    rule = models.ForeignKey(ReminderRule, on_delete=models.PROTECT, related_name="reminders")
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True, default="", db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-due_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "rule", "due_on"], name="reminder_once_per_case_rule_date"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReminderStatus.values), name="reminder_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=ReminderStatus.PENDING) | Q(sent_at__isnull=False),
                name="reminder_done_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "queued_at"])]

    def __str__(self):
        return f"{self.rule} — case #{self.case_id}, due {self.due_on}"


class Notification(models.Model):
    """
    A reminder as one person sees it: in the bell until read, and by email once.
    Or, instead of a reminder, a case event staff must hear of at once (an
    email received on the case, a copy of the notice that bounced).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_notifications"
    )
    reminder = models.ForeignKey(
        Reminder, on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    event = models.ForeignKey(
        "optouts.CaseEvent", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the mail server took its email."
    )
    email_claim = models.CharField(max_length=32, blank=True, default="")
    # Kept before the email is sent: a retried send reuses it.
    email_message_id = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "reminder"], name="notification_once_per_user_reminder"
            ),
            models.UniqueConstraint(
                fields=["user", "event"], name="notification_once_per_user_event"
            ),
            models.CheckConstraint(
                condition=Q(reminder__isnull=True, event__isnull=False)
                | Q(reminder__isnull=False, event__isnull=True),
                name="notification_of_reminder_or_event",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["emailed_at", "user"]),
        ]

    def __str__(self):
        return f"{self.reminder or self.event} → {self.user}"

    @property
    def case(self):
        return self.reminder.case if self.reminder_id else self.event.request


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", "An email for each reminder"
    DIGEST = "digest", "One email a day with all of them"
    NONE = "none", "No email (the site only)"


class ReminderPreference(models.Model):
    """How one person gets reminders by email. No row: one email per reminder."""

    Delivery = Delivery

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    delivery = models.CharField(
        "reminder emails", max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(delivery__in=Delivery.values), name="reminder_preference_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.get_delivery_display()}"


class ReminderSnooze(models.Model):
    """A case's reminders (one rule, or all) held back until a date, and why."""

    case = models.ForeignKey(OptOutRequest, on_delete=models.CASCADE, related_name="snoozes")
    rule = models.ForeignKey(
        ReminderRule,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="snoozes",
        help_text="Blank: every reminder of this case.",
    )
    until = models.DateField(help_text="No reminder before this day.")
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-until", "-id"]
        indexes = [models.Index(fields=["until"])]

    def __str__(self):
        what = self.rule.name if self.rule_id else "All reminders"
        return f"{what} snoozed until {self.until} (case #{self.case_id})"


class SweepRun(models.Model):
    """
    One completed reminders sweep: when, and what it found. The overview warns
    when the latest is more than a day old (no worker, no beat, no cron), and
    the admin lists them, on every stack.
    """

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(db_index=True)
    swept_for = models.DateField(help_text="The day whose reminders the sweep looked for.")
    due_count = models.PositiveIntegerField("reminders fallen due", default=0)
    queued_count = models.PositiveIntegerField("reminders handed out to send", default=0)

    class Meta:
        ordering = ["-finished_at", "-id"]
        get_latest_by = "finished_at"

    def __str__(self):
        return f"Sweep for {self.swept_for} at {self.finished_at:%Y-%m-%d %H:%M}"
