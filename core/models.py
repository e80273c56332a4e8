"""
The one model of the ground floor: the outbox of work to do after a commit
(core.outbox explains it).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxTask(models.Model):
    """
    A task a change asked for, written in the change's own transaction, so
    that it is done at least once however the broker or a worker fails.
    """

    name = models.CharField(max_length=200, help_text="The Celery task's name.")
    args = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was last handed to the broker."
    )
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker last began running it."
    )
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="Times handed to the broker.")
    last_error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["dispatched_at"], condition=Q(done_at__isnull=True), name="outbox_not_done"
            ),
            models.Index(fields=["done_at"], name="outbox_done"),
        ]

    def __str__(self):
        return f"{self.name}{tuple(self.args)}"
