"""
A web process loads what serves pages, not what builds files: WeasyPrint,
pypdf and the holidays package are loaded by the worker (or the request)
that needs them, each worth several megabytes in every web process.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
from django.test import Client
Client().get("/healthz")
print(" ".join(m for m in ("weasyprint", "pypdf", "holidays") if m in sys.modules))
"""


def test_serving_loads_no_pdf_or_holiday_library():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"DJANGO_SETTINGS_MODULE": "scomm.settings", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1:] in ([], [""]), result.stdout
