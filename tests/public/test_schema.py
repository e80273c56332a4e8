"""
The OpenAPI schema describes the API exactly: schemathesis generates valid
and invalid requests from it against a live server and runs every check on
the answers (status codes, bodies, headers and content types as declared,
invalid input refused, no server error).
"""

import os
import subprocess
import sys
import time

import pytest
from django.urls import reverse

# Few examples per operation: the run stays well under a minute.
MAX_EXAMPLES = 5


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_exactly_as_its_schema_says(live_server, public_case, tmp_path, settings):
    settings.SCOMM_API_RATE = ""
    started = time.monotonic()
    result = subprocess.run(
        [
            os.path.join(os.path.dirname(sys.executable), "schemathesis"),
            "run",
            f"{live_server.url}{reverse('public:api-schema')}?format=json",
            "--url",
            live_server.url,
            "--checks",
            "all",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--phases",
            "examples,coverage,fuzzing",
            "--generation-deterministic",
            "--no-color",
            "--request-timeout",
            "10",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,  # its example database stays out of the project
    )
    if os.environ.get("SCHEMATHESIS_REPORT"):  # the whole report, to read a failure in full
        with open(os.environ["SCHEMATHESIS_REPORT"], "w") as report:
            report.write(result.stdout)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    # About 560 requests; well under a minute unless the machine is busy.
    print(f"schemathesis: {time.monotonic() - started:.1f} s")
