"""
Load one of ICE's deployment schedules (CSV or XLSX) from the command line.

It lives with the cases because applying a schedule flags the open cases whose
date it moves (optouts.services.schedule_load), not only the plan.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jurisdictions.schedules.services import already_applied_message
from optouts.services import schedule_load


class Command(BaseCommand):
    help = (
        "Check a deployment schedule against the plan in force and apply it, flagging the "
        "open cases whose date moves: all rows or none. Prints the counts and every row in error; exits with status 1, writing "
        "nothing, when any row is in error."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The schedule: a .csv or .xlsx file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and print the counts; write nothing."
        )
        parser.add_argument(
            "--user", help="The username recorded as having applied it (default: none)."
        )
        parser.add_argument(
            "--override-resolutions",
            action="store_true",
            help="Also apply the rows listed as overriding a resolution (a jurisdiction "
            "removed from the plan, an open request's date, a date after the activation).",
        )

    def handle(self, *args, file, dry_run, user=None, override_resolutions=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        size = path.stat().st_size
        if size > settings.SCOMM_MAX_UPLOAD_BYTES:
            raise CommandError(
                f"{path.name} is {size} bytes; a schedule can be at most "
                f"{settings.SCOMM_MAX_UPLOAD_BYTES} bytes."
            )
        acting = None
        if user:
            try:
                acting = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"No user named {user!r}.") from exc
        try:
            report, version = schedule_load(
                file_name=path.name,
                content=path.read_bytes(),
                user=acting,
                dry_run=dry_run,
                override_resolutions=override_resolutions,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

        if report["file_error"]:
            self.stderr.write(report["file_error"])
            raise CommandError("Nothing was written.", returncode=1)
        if report.get("already_applied"):
            self.stdout.write(already_applied_message(report["already_applied"]))
            return
        counts = report["counts"]
        self.stdout.write(
            f"{path.name}: {report['rows_total']} rows — new: {counts['new']}, "
            f"changed: {counts['changed']}, unchanged: {counts['unchanged']}, "
            f"errors: {counts['errors']}; over a resolution: {counts.get('held', 0)}"
        )
        for label in report.get("statewide", []):
            self.stdout.write(f"  {label}: every jurisdiction not named elsewhere in the file")
        self._held(report, applied=bool(override_resolutions and not dry_run))
        for entry in report["changed"]:
            if entry["old_scheduled"] != entry["new_scheduled"]:
                earlier = " (earlier)" if entry["earlier"] else ""
                self.stdout.write(
                    f"  row {entry['row']}: {entry['jurisdiction']}: "
                    f"{entry['old_scheduled']} → {entry['new_scheduled']}{earlier}"
                )
        for error in report["errors"]:
            self.stderr.write(f"  row {error['row']}, {error['column']}: {error['message']}")
        if report["errors"]:
            raise CommandError(
                f"{counts['errors']} row(s) in error; nothing was written.", returncode=1
            )
        if dry_run:
            self.stdout.write(
                f"Dry run: nothing was written. {report.get('cases_to_flag', 0)} open case(s) "
                "would be flagged."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Applied as schedule no. {version.pk}; {version.cases_flagged} open case(s) flagged."
            )
        )

    def _held(self, report: dict, *, applied: bool) -> None:
        """The rows that would override a resolution, each with the case and the resolution."""
        held = report.get("held", [])
        if not held:
            return
        self.stdout.write(
            f"{len(held)} row(s) would override a resolution"
            + (
                " and are applied (--override-resolutions):"
                if applied
                else "; they are not applied without --override-resolutions:"
            )
        )
        for entry in held:
            for hold in entry["holds"]:
                self.stdout.write(
                    f"  row {entry['row']}: {entry['jurisdiction']}: {hold['message']}"
                )
