"""
The suite in several processes (pytest-xdist, `scripts/test` uses it): each
process gets a Redis database of its own — its cache, its sessions and the
broker of the Celery worker its tests start — as pytest-django gives it a
test database of its own. Loaded with `-p tests.parallel` (pyproject), so
that it runs before pytest-django reads the settings.
"""

import os
from urllib.parse import urlsplit, urlunsplit

import pytest

REDIS_DATABASES = 16  # redis-server's default


def redis_url_for(url: str, worker: str) -> str:
    """REDIS_URL's database moved down by one per process: 15 → 14 for gw0, 13 for gw1."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    number = int(worker.removeprefix("gw"))
    return urlunsplit(parts._replace(path=f"/{(base - 1 - number) % REDIS_DATABASES}"))


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    url = os.environ.get("REDIS_URL", "")
    if worker.startswith("gw") and url:
        os.environ["SCOMM_TEST_REDIS_URL_GIVEN"] = url
        os.environ["REDIS_URL"] = redis_url_for(url, worker)
