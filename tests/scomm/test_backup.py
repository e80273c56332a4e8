"""The backup of the README (pg_dump) restores into an empty database with every case."""

import shutil
import subprocess

import psycopg
import pytest
from django.db import connection

from optouts import services
from optouts.models import CaseEvent, OptOutRequest
from tests.factories import JurisdictionFactory, UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def dsn(name):
    db = connection.settings_dict
    return f"postgresql://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def test_a_dump_restores_every_case_and_event(require_postgres, tmp_path):
    from tests.conftest import need

    need(bool(shutil.which("pg_dump") and shutil.which("pg_restore")), "pg_dump and pg_restore")
    user = UserFactory()
    for i in range(3):
        case = services.optout_create(
            jurisdiction=JurisdictionFactory(), user=user, requesting_official=f"Sheriff {i}",
            requesting_body="sheriff",
        )
        services.event_record(case_id=case.pk, user=user, kind="reply", summary=f"Reply {i}")
    source = connection.settings_dict["NAME"]
    dump = tmp_path / "scomm.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={dump}", dsn(source)], check=True, timeout=120
    )
    target = f"{source}_restore"
    with psycopg.connect(dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
        admin.execute(f'CREATE DATABASE "{target}"')
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={dsn(target)}", str(dump)],
            check=True,
            timeout=120,
        )
        with psycopg.connect(dsn(target)) as restored:
            cases = restored.execute("SELECT count(*) FROM optouts_optoutrequest").fetchone()[0]
            events = restored.execute(
                "SELECT string_agg(summary, '|' ORDER BY id) FROM optouts_caseevent WHERE kind = 'reply'"
            ).fetchone()[0]
        assert cases == OptOutRequest.objects.count() == 3
        assert events == "|".join(
            CaseEvent.objects.filter(kind="reply").order_by("id").values_list("summary", flat=True)
        )
    finally:
        with psycopg.connect(dsn("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
