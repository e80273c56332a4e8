"""
manage.py warm_pages: build and keep the pages most visitors read first
(SCOMM_WARM_PAGE_NAMES), as a worker does after every change (core.warm):
after a deployment or a restart of the cache, so that no visitor waits for
them. Prints each page's status and the time it took.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import warm


class Command(BaseCommand):
    help = "Build and keep the pages most visitors read first, as after a change."

    def handle(self, *args, **options):
        if not settings.SCOMM_PAGE_CACHE_SECONDS:
            raise CommandError(
                "The page cache is off (SCOMM_PAGE_CACHE_SECONDS=0): nothing to keep."
            )
        problem = warm.site_problem()
        if problem:
            raise CommandError(f"Pages not warmed: {problem}")
        failed = []
        for path, status, spent in warm.each_page():
            self.stdout.write(f"{status}  {spent:7.1f} ms  {path}")
            if status != 200:
                failed.append(path)
        if failed:
            raise CommandError(f"Not kept: {', '.join(failed)}")
