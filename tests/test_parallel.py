"""Each pytest-xdist process of scripts/test has a Redis database of its own."""

import os

import pytest

from tests.parallel import redis_url_for


def test_each_process_moves_down_from_the_configured_database():
    assert redis_url_for("redis://127.0.0.1:6379/15", "gw0") == "redis://127.0.0.1:6379/14"
    assert redis_url_for("redis://127.0.0.1:6379/15", "gw1") == "redis://127.0.0.1:6379/13"
    assert redis_url_for("redis://127.0.0.1:6379/0", "gw0") == "redis://127.0.0.1:6379/15"
    assert redis_url_for("redis://:secret@cache:6380", "gw2") == "redis://:secret@cache:6380/13"


def test_this_process_uses_its_own_database(settings):
    given = os.environ.get("SCOMM_TEST_REDIS_URL_GIVEN")
    if not given:
        pytest.skip("one process, or no Redis: nothing to share")
    worker = os.environ["PYTEST_XDIST_WORKER"]
    assert settings.REDIS_URL == redis_url_for(given, worker) != given
    assert settings.CELERY_BROKER_URL == settings.REDIS_URL
