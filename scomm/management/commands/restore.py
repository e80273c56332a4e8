"""
manage.py restore FILE: put back what `manage.py backup` saved, into an
empty database (no tables: `createdb` on PostgreSQL, a new file name for
SQLite) and empty folders, as DATABASE_URL, SCOMM_MEDIA_ROOT and
SCOMM_PRIVATE_MEDIA_ROOT name them. It refuses to write over anything, and
checks every file of the manifest came back.
"""

import json
import shutil
import subprocess  # nosec B404: pg_restore, with arguments of our own
import tarfile
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from .backup import FORMAT, files_in, folders, postgres_env


def _database_empty() -> bool:
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _restore_database(dump: Path, vendor: str) -> None:
    if vendor != connection.vendor:
        raise CommandError(
            f"The backup holds a {vendor} database; DATABASE_URL names a {connection.vendor} one."
        )
    if vendor == "postgresql":
        command = [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ]
        result = subprocess.run(  # nosec B603
            command, env=postgres_env(), capture_output=True, text=True, check=False
        )
        if result.returncode:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
        return
    target = Path(connection.settings_dict["NAME"])
    connection.close()
    shutil.copyfile(dump, target)


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into an empty database and empty folders."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar.gz written by manage.py backup")

    def handle(self, *args, archive, **options):
        if not _database_empty():
            raise CommandError(
                "The database is not empty: restore into a new one "
                "(createdb, or a new SQLite file in DATABASE_URL)."
            )
        for root in folders().values():
            if files_in(root):
                raise CommandError(f"{root} is not empty: restore into empty folders.")
        with tempfile.TemporaryDirectory() as work, tarfile.open(archive, "r:gz") as tar:
            # The "data" filter refuses links and paths that leave the folder.
            tar.extractall(work, filter="data")
            manifest = json.loads((Path(work) / "manifest.json").read_text())
            if manifest.get("format") != FORMAT:
                raise CommandError(f"{archive} is not a backup made by manage.py backup.")
            _restore_database(Path(work) / "database", manifest["database"])
            for name, root in folders().items():
                source = Path(work) / name
                root.mkdir(parents=True, exist_ok=True)
                if source.is_dir():
                    shutil.copytree(source, root, dirs_exist_ok=True)
                missing = sorted(set(manifest["files"][name]) - set(files_in(root)))
                if missing:
                    raise CommandError(
                        f"{len(missing)} files of {root} did not come back: {missing[:5]}"
                    )
        counts = ", ".join(f"{len(v)} {k} files" for k, v in manifest["files"].items())
        self.stdout.write(
            f"Restored the {manifest['database']} database of {manifest['made']} and {counts}."
        )
