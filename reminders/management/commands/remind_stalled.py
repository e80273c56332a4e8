"""
Run the reminders sweep in the foreground and print what it sent: for a
look at what is due (--dry-run), for a past day (--today), or from cron where
no beat runs. scripts/start's worker already sweeps on its schedule.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from optouts.models import OptOutRequest
from reminders import selectors, services


class Command(BaseCommand):
    help = "Send the reminders due today (or on --today) for stalled cases, once each."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="The day to sweep for, YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what is due; write and send nothing."
        )

    def handle(self, *args, today=None, dry_run=False, **options):
        if today:
            try:
                today = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError(
                    f"--today must be a date as YYYY-MM-DD, not {today!r}."
                ) from None
        else:
            today = timezone.localdate()
        if dry_run:
            due = selectors.due_reminders(today=today)
            cases = self._cases({d.case_id for d in due})
            for d in due:
                self.stdout.write(f"Due: {d.rule.name} — {cases[d.case_id]} (due {d.due_on})")
            self.stdout.write(f"{len(due)} reminder(s) due on {today}; dry run, nothing sent.")
            return
        ids = services.reminders_sweep(
            today=today, enqueue=False, requeue_after=datetime.timedelta()
        )
        sent = skipped = 0
        for pk in ids:
            reminder = services.reminder_send(reminder_id=pk, today=today)
            services.reminder_emails_send(reminder_id=pk)
            label = f"{reminder.rule.name} — {self._cases({reminder.case_id})[reminder.case_id]} (due {reminder.due_on})"
            if reminder.status == reminder.Status.SENT:
                sent += 1
                self.stdout.write(f"Sent: {label} to {reminder.recipient_count} recipient(s)")
            else:
                skipped += 1
                self.stdout.write(f"Skipped: {label}: {reminder.note}")
        self.stdout.write(f"{sent} reminder(s) sent, {skipped} skipped, on {today}.")

    def _cases(self, ids) -> dict[int, str]:
        return {
            c.pk: f"{c.jurisdiction} (request #{c.pk})"
            for c in OptOutRequest.objects.filter(pk__in=ids).select_related("jurisdiction__state")
        }
