"""
Letters: the median time to render one letter to PDF, its ratio to
WeasyPrint rendering the same HTML bare (our overhead: the case's data,
the template, the local-only fetcher, the font configuration), and the
time to export a case file of 50 letters as one PDF and as a ZIP.

    .venv/bin/python bench/bench_letters.py [--runs 15] [--letters 50]

Uses a throwaway SQLite file and media folder unless DATABASE_URL is set.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="scomm-bench-letters-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORK / 'bench.sqlite3'}")
os.environ.setdefault("SCOMM_MEDIA_ROOT", str(WORK / "media"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scomm.settings")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402

from correspondence import defaults, exports, letters, pdf, selectors  # noqa: E402
from jurisdictions.models import IceOffice, Jurisdiction, State, StateIdentificationBureau  # noqa: E402
from optouts import services as optout_services  # noqa: E402


def timed(func, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--letters", type=int, default=50)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    defaults.letter_templates_install_defaults()
    user = get_user_model().objects.create_user(f"bench-{time.time_ns()}", password="x")
    state, _ = State.objects.get_or_create(
        postal_code="QB", defaults={"name": "Benchland", "fips": "97"}
    )
    StateIdentificationBureau.objects.get_or_create(
        state=state,
        defaults={
            "name": "Benchland Bureau of Identification",
            "mailing_address": "1 Capitol Way\nBench City",
        },
    )
    IceOffice.objects.get_or_create(
        name="ICE Secure Communities Program Management Office",
        defaults={
            "is_headquarters": True,
            "mailing_address": "500 12th Street SW\nWashington, DC 20536",
        },
    )
    jurisdiction = Jurisdiction.objects.create(
        state=state,
        name=f"Bench County {time.time_ns()}",
        letterhead="Office of the Sheriff\nBench County\n1 Main Street",
        signatory_name="Pat Sheriff",
        signatory_title="Sheriff",
    )
    case = optout_services.optout_create(
        jurisdiction=jurisdiction,
        user=user,
        requesting_official="Sheriff Pat Sheriff",
        requesting_body="sheriff",
        reasons="Community policing depends on trust. " * 8,
        opened_on=datetime.date.today() - datetime.timedelta(days=60),
    )
    letter = letters.letter_draft_create(case_id=case.pk, user=user, template_key="notice-ice")
    letter = selectors.letter_detail(pk=letter.pk)

    html = letters.letter_html(letter=letter)
    css = Path(finders.find("css/letter.css")).read_text()
    bare_html = html.replace('<link rel="stylesheet" href="scomm:/static/css/letter.css">', "")

    letters.letter_render_pdf(letter=letter)  # warm up fonts and caches for both
    pdf.render_bare_pdf(html=bare_html, css=css)
    ours = timed(
        lambda: letters.letter_render_pdf(letter=selectors.letter_detail(pk=letter.pk)), args.runs
    )
    bare = timed(lambda: pdf.render_bare_pdf(html=bare_html, css=css), args.runs)

    keys = ["notice-ice", "notice-sib", "copy-attorney-general", "follow-up", "clarification"]
    start = time.perf_counter()
    for number in range(args.letters - 1):
        draft = letters.letter_draft_create(
            case_id=case.pk, user=user, template_key=keys[number % len(keys)]
        )
        # What the editor asks before sending: a signature, and an address
        # where the directory has none.
        changes = {"signatory_name": draft.signatory_name or "Michael Hennessey"}
        if not draft.recipient_address:
            changes["recipient_address"] = "500 12th St SW, Washington, DC 20536"
        letters.letter_send(
            letter_id=draft.pk,
            user=user,
            method="letter",
            sent_on=datetime.date.today(),
            changes=changes,
        )
    sending = (time.perf_counter() - start) / max(args.letters - 1, 1)

    start = time.perf_counter()
    bundle = selectors.case_file(case=case, include_private=True)
    case_pdf = exports.case_file_pdf(bundle=bundle)
    export_pdf = time.perf_counter() - start
    start = time.perf_counter()
    case_zip = exports.case_file_zip(bundle=selectors.case_file(case=case, include_private=True))
    export_zip = time.perf_counter() - start

    print(f"one letter, rendered by scomm (median of {args.runs}): {ours * 1000:.0f} ms")
    print(f"same HTML, WeasyPrint bare (median of {args.runs}):     {bare * 1000:.0f} ms")
    print(f"overhead ratio scomm / bare:                      {ours / bare:.2f}x")
    print(f"sending one letter (render, hash, store, deliver): {sending * 1000:.0f} ms")
    print(
        f"case file of {args.letters} letters as one PDF: {export_pdf:.2f} s "
        f"({len(case_pdf) / 1024:.0f} KB, {export_pdf / ours:.1f}x one letter)"
    )
    print(
        f"case file of {args.letters} letters as a ZIP:    {export_zip:.2f} s ({len(case_zip) / 1024:.0f} KB)"
    )
    print(
        "(bare WeasyPrint builds its font configuration on every call; scomm keeps one per process)"
    )


if __name__ == "__main__":
    try:
        main()
    finally:
        import shutil

        shutil.rmtree(WORK, ignore_errors=True)
