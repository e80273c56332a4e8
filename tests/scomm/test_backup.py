"""
The README's backup restores everything: `manage.py backup` of a site with a
sent letter and an attachment, the folders wiped, `manage.py restore` into an
empty database and empty folders, and the restored site serves the letter's
PDF and the attachment. On PostgreSQL (pg_dump / pg_restore) when
DATABASE_URL names one, on SQLite otherwise.
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from correspondence import defaults, letters, log
from correspondence.models import Letter
from tests.conftest import need
from tests.correspondence.conftest import tiny_pdf, upload
from tests.factories import (
    IceOfficeFactory,
    JurisdictionFactory,
    MembershipFactory,
    OptOutRequestFactory,
    SibFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parent.parent.parent

# Run by the restored site: a signed-in counsel opens each URL, the bodies are written to files.
FETCH = """
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
username, out, *urls = sys.argv[1:]
client = Client()
client.force_login(get_user_model().objects.get(username=username))
answers = []
for n, url in enumerate(urls):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    open(f"{out}/{n}", "wb").write(body)
    answers.append(response.status_code)
print(json.dumps(answers))
"""


def _text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


@pytest.fixture
def folders(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SCOMM_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    return Path(settings.MEDIA_ROOT), Path(settings.SCOMM_PRIVATE_MEDIA_ROOT)


def _a_case_with_a_sent_letter_and_an_attachment():
    defaults.letter_templates_install_defaults()  # a transactional test starts from a flushed database
    sib = SibFactory(mailing_address="1 Capitol Way\nCapital City, QA 00001")
    ice = IceOfficeFactory(mailing_address="500 12th Street SW\nWashington, DC 20536")
    ice.states.add(sib.state)
    jurisdiction = JurisdictionFactory(
        state=sib.state, name="Harbor County", signatory_name="Pat Sheriff"
    )
    case = OptOutRequestFactory(
        jurisdiction=jurisdiction, opened_on=datetime.date.today() - datetime.timedelta(days=3)
    )
    counsel = MembershipFactory(jurisdiction=jurisdiction, role="counsel").user
    draft = letters.letter_draft_create(case_id=case.pk, user=counsel, template_key="notice-ice")
    letters.letter_draft_update(
        letter_id=draft.pk, user=counsel, body="The county asks to opt out; restored intact."
    )
    letter = letters.letter_send(
        letter_id=draft.pk, user=counsel, method="letter", sent_on=datetime.date.today()
    )
    attachment_bytes = tiny_pdf("The reply kept as an attachment")
    entry = log.correspondence_record(
        case_id=case.pk,
        user=counsel,
        direction="in",
        method="letter",
        occurred_on=datetime.date.today(),
        sender="ICE",
        recipient="Sheriff",
        summary="ICE's reply.",
        files=[upload("reply.pdf", attachment_bytes)],
    )
    return counsel, letter, entry.attachments.get(), attachment_bytes


def _target_database(tmp_path) -> tuple[str, callable]:
    """An empty database to restore into, and how to drop it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}", lambda: None
    need(bool(shutil.which("pg_dump") and shutil.which("pg_restore")), "pg_dump and pg_restore")
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    server = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    name = f"{db['NAME']}_restored"

    def admin(sql):
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    admin(f'DROP DATABASE IF EXISTS "{name}"')
    admin(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}", lambda: admin(f'DROP DATABASE IF EXISTS "{name}"')


def _restored_site(database_url: str, media: Path, private: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SCOMM_", "REDIS_URL", "DATABASE_URL"))
    }
    return env | {
        "DJANGO_SETTINGS_MODULE": "scomm.settings",
        "DATABASE_URL": database_url,
        "SCOMM_MEDIA_ROOT": str(media),
        "SCOMM_PRIVATE_MEDIA_ROOT": str(private),
    }


def test_a_backup_restores_the_letters_and_attachments_into_an_empty_site(folders, tmp_path):
    media, private = folders
    counsel, letter, attachment, attachment_bytes = _a_case_with_a_sent_letter_and_an_attachment()
    assert (private / letter.pdf.name).is_file() and (private / attachment.file.name).is_file()

    archive = tmp_path / "scomm-backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    shutil.rmtree(media, ignore_errors=True)
    shutil.rmtree(private)

    database_url, drop = _target_database(tmp_path)
    env = _restored_site(database_url, tmp_path / "new-media", tmp_path / "new-private")
    manage = [sys.executable, str(ROOT / "manage.py")]
    try:
        restored = subprocess.run(
            [*manage, "restore", str(archive)], env=env, capture_output=True, text=True, timeout=120
        )
        assert restored.returncode == 0, restored.stderr
        assert "Restored the" in restored.stdout

        out = tmp_path / "fetched"
        out.mkdir()
        urls = [
            reverse("correspondence:letter_pdf", args=[letter.pk]),
            attachment.get_absolute_url(),
        ]
        fetched = subprocess.run(
            [sys.executable, "-c", FETCH, counsel.username, str(out), *urls],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
        assert fetched.returncode == 0, fetched.stderr[-3000:]
        assert json.loads(fetched.stdout.splitlines()[-1]) == [200, 200]
        pdf = (out / "0").read_bytes()
        assert hashlib.sha256(pdf).hexdigest() == letter.sha256  # the frozen letter itself
        text = _text(pdf)
        assert "The county asks to opt out; restored intact." in text
        assert Letter.objects.get(pk=letter.pk).subject in text
        served = (out / "1").read_bytes()
        assert served == attachment_bytes
        assert "The reply kept as an attachment" in _text(served)

        again = subprocess.run(
            [*manage, "restore", str(archive)], env=env, capture_output=True, text=True, timeout=120
        )
        assert again.returncode != 0
        assert "The database is not empty" in again.stderr
    finally:
        drop()
