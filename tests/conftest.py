"""
Shared fixtures.

Services: tests marked `services` need PostgreSQL, Redis or a Celery worker.
On a laptop without them they are skipped; under CI=true a missing service
fails the run instead.
"""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.cache import cache

from tests.factories import (  # noqa: F401  (fixtures below use them)
    JurisdictionFactory,
    MembershipFactory,
    OptOutRequestFactory,
    StateFactory,
    UserFactory,
)

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture
def page_cache_on(settings):
    """The page cache and the kept parts of pages on (the rest of the suite runs without)."""
    settings.SCOMM_PAGE_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def pytest_configure(config):
    # Hashing test passwords with PBKDF2 costs a tenth of a second per user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests change rows behind the site's back (bulk_create, update); the
    # public page cache has its own tests, which turn it on.
    settings.SCOMM_PAGE_CACHE_SECONDS = 0
    # Nor do changes warm the kept pages again (core.warm has its own tests).
    settings.SCOMM_WARM_PAGES = False
    # The API's per-address limit has its own test; the others all come from 127.0.0.1.
    settings.SCOMM_API_RATE = ""
    # Letters, attachments and exports of the test run go to a throwaway
    # folder, shared with the Celery worker processes the tests start.
    import tempfile

    media = tempfile.mkdtemp(prefix="scomm-test-media-")
    os.environ["SCOMM_MEDIA_ROOT"] = settings.MEDIA_ROOT = os.path.join(media, "media")
    os.environ["SCOMM_PRIVATE_MEDIA_ROOT"] = settings.SCOMM_PRIVATE_MEDIA_ROOT = os.path.join(
        media, "private"
    )
    # The limits' counters of the embedded default (a folder of files): this run's own.
    if "limits" in settings.CACHES:
        settings.CACHES["limits"]["LOCATION"] = os.path.join(media, "limits")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """The tests that restart PostgreSQL and Redis run after every other test."""
    items.sort(key=lambda item: item.get_closest_marker("restarts") is not None)


def need(condition: bool, why: str) -> None:
    """Skip a test whose service is missing, except under CI, where it fails."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI requires {why}", pytrace=False)
    pytest.skip(f"needs {why}")


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1
        ):
            return True
    except OSError:
        return False


@pytest.fixture
def require_postgres():
    need(
        settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), "PostgreSQL (DATABASE_URL)"
    )


@pytest.fixture
def require_redis():
    url = settings.REDIS_URL
    need(bool(url) and _reachable(url), "Redis (REDIS_URL)")
    return url


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


@pytest.fixture
def staff_user(db):
    membership = MembershipFactory(role="staff")
    return membership.user


@pytest.fixture
def jurisdiction(db):
    return JurisdictionFactory()


@pytest.fixture(autouse=True)
def _celery_eager_unless_a_worker_runs(request):
    """
    Under CI, REDIS_URL is set and tasks would go to Redis. A test that did
    not ask for a real worker runs its tasks in-process, as on a laptop.
    """
    from scomm.celery import app

    if "celery_worker_process" in request.fixturenames:
        yield
        return
    from tests.celeryconf import celery_set

    before = celery_set(app, task_always_eager=True)
    yield
    celery_set(app, **before)


@pytest.fixture
def celery_worker_process(require_postgres, require_redis, transactional_db):
    """
    A real Celery worker in its own process, consuming from the real Redis
    and writing to this test's PostgreSQL database. Yields a handle with
    `start()` and `kill()` so a test can kill it mid-task and start another.
    """
    import signal
    import subprocess
    import sys
    import time

    from django.db import connection

    db = connection.settings_dict
    url = f"postgres://{db['USER'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "scomm.settings",
        "EMAIL_URL": "consolemail://",
    }
    env.update(getattr(settings, "SCOMM_TEST_WORKER_ENV", {}))

    class Worker:
        proc = None

        def start(self, extra_env=None):
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "scomm",
                    "worker",
                    "--pool=prefork",  # as in production: a parent and its pool children
                    "--concurrency=2",
                    "--loglevel=WARNING",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                env={**env, **(extra_env or {})},
                cwd=settings.BASE_DIR,
                start_new_session=True,  # kill() ends the parent and its children at once
            )
            deadline = time.monotonic() + 30
            from scomm.celery import app

            while time.monotonic() < deadline:
                if app.control.ping(timeout=0.5):
                    return self
                if self.proc.poll() is not None:
                    raise RuntimeError("the Celery worker exited at start")
            raise RuntimeError("the Celery worker did not answer within 30 s")

        def kill(self):
            if self.proc and self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)

        def stop(self):
            if self.proc and self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(20)
                except subprocess.TimeoutExpired:
                    self.kill()

    worker = Worker()
    from scomm.celery import app

    app.control.purge()
    yield worker
    worker.stop()


@pytest.fixture(autouse=True)
def _forget_the_last_sweep():
    """The latest reminders sweep is kept in the cache; each test starts without one."""
    from reminders.selectors import SWEEP_LAST_KEY

    cache.delete(SWEEP_LAST_KEY)


@pytest.fixture(autouse=True)
def _limits_count_afresh(monkeypatch):
    """Each test counts its own requests against the limits (core.ratelimit)."""
    import uuid

    from core import ratelimit

    monkeypatch.setattr(ratelimit, "NAMESPACE", f"limit-{uuid.uuid4().hex[:12]}")
