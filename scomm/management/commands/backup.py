"""
manage.py backup FILE: everything scomm keeps, in one .tar.gz that
`manage.py restore` puts back.

- the database: pg_dump's custom format on PostgreSQL, a consistent copy
  (SQLite's online backup) of the SQLite file;
- SCOMM_PRIVATE_MEDIA_ROOT: the frozen letters, the correspondence's
  attachments, the proofs of receipt, the emails received and the built
  case files;
- SCOMM_MEDIA_ROOT: the jurisdictions' seals.

A manifest lists what is in it, so that a restore can say it got it all.
The site may keep running: the database is read in one snapshot, and a
file written after that snapshot is only a file no row names yet.
"""

import datetime
import json
import os
import sqlite3
import subprocess  # nosec B404: pg_dump, with arguments of our own
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.files import private_storage

FORMAT = "scomm-backup-1"


def folders() -> dict[str, Path]:
    """The folders that hold data, by their name in the archive."""
    return {
        "private": Path(private_storage().location),
        "media": Path(settings.MEDIA_ROOT).resolve(),
    }


def postgres_env() -> dict[str, str]:
    """pg_dump's and pg_restore's connection, from the site's own settings."""
    db = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def files_in(root: Path) -> list[str]:
    """The files under `root`, relative to it."""
    if not root.is_dir():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _dump_database(target: Path) -> str:
    vendor = connection.vendor
    if vendor == "postgresql":
        command = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}"]
        result = subprocess.run(  # nosec B603
            command, env=postgres_env(), capture_output=True, text=True, check=False
        )
        if result.returncode:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        return vendor
    if vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
        return vendor
    raise CommandError(f"No backup for a {vendor} database.")


class Command(BaseCommand):
    help = "Back up the database and every folder that holds data into one .tar.gz archive."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the file to write, e.g. scomm-2010-09-20.tar.gz")

    def handle(self, *args, archive, **options):
        archive = Path(archive)
        if archive.exists():
            raise CommandError(f"{archive} exists already: give a new file name.")
        with tempfile.TemporaryDirectory() as work:
            dump = Path(work) / "database"
            vendor = _dump_database(dump)
            manifest = {
                "format": FORMAT,
                "made": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "database": vendor,
                "files": {name: files_in(root) for name, root in folders().items()},
            }
            (Path(work) / "manifest.json").write_text(json.dumps(manifest, indent=1))
            partial = archive.with_name(archive.name + ".part")
            with tarfile.open(partial, "w:gz") as tar:
                tar.add(Path(work) / "manifest.json", arcname="manifest.json")
                tar.add(dump, arcname="database")
                for name, root in folders().items():
                    for relative in manifest["files"][name]:
                        tar.add(root / relative, arcname=f"{name}/{relative}")
            partial.rename(archive)
        counts = ", ".join(f"{len(v)} {k} files" for k, v in manifest["files"].items())
        self.stdout.write(f"Backed up the {vendor} database and {counts} to {archive}.")
