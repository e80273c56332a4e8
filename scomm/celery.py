"""The Celery application: tasks are discovered in each app's tasks.py."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scomm.settings")

app = Celery("scomm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _sweep_when_the_embedded_worker_starts(sender=None, **kwargs):
    """
    A laptop's worker is stopped whenever the site is: sweep as soon as it
    starts, so that reminders fallen due while it was off go out now rather
    than at the next hour, and the overview's warning about a sweep that has
    not run clears at once. The production worker runs all the time and
    leaves the sweep to beat.
    """
    from django.conf import settings

    if getattr(settings, "SCOMM_EMBEDDED_WORKER", False):
        app.send_task("reminders.tasks.reminders_sweep")
