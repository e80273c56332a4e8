"""
The Celery worker of the embedded default, with beat inside it: what
scripts/start runs beside the site, and what its test starts. One command
line in one place, so the test exercises exactly what a laptop runs.
"""

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def worker_argv() -> list[str]:
    """
    One process: a solo pool (SQLite takes one writer at a time anyway) and
    beat embedded, its schedule kept beside the task folders so that a
    digest or clean-up missed while the laptop was off runs at the next start.
    """
    folder = settings.SCOMM_EMBEDDED_WORKER_DIR
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "scomm",
        "worker",
        "--beat",
        f"--schedule={folder / 'beat-schedule'}",
        "--pool=solo",
        "--hostname=embedded@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        f"--loglevel={os.environ.get('SCOMM_WORKER_LOGLEVEL', 'INFO')}",
    ]


class Command(BaseCommand):
    help = (
        "Run the embedded default's Celery worker with beat (reminders, digest, export "
        "clean-up). Needs SCOMM_EMBEDDED_WORKER=1 for the site and this command alike."
    )

    def handle(self, *args, **options):
        if settings.REDIS_URL:
            raise CommandError(
                "REDIS_URL is set: run `celery -A scomm worker` and `celery -A scomm beat` instead."
            )
        if not settings.SCOMM_EMBEDDED_WORKER:
            raise CommandError(
                "Set SCOMM_EMBEDDED_WORKER=1 for the site and this worker alike "
                "(scripts/start does); without it the site runs its tasks in-process."
            )
        settings.SCOMM_EMBEDDED_WORKER_DIR.mkdir(parents=True, exist_ok=True)
        sys.stdout.flush()
        # The worker takes this process's place, so that stopping this id stops it.
        argv = worker_argv()
        os.execv(argv[0], argv)  # nosec B606: our own interpreter and arguments, no shell
