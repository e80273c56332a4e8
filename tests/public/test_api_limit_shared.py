"""
The API's limit is one count for every web process: two cache clients (as
two workers hold) pointed at the same store see the same requests.
"""

import pytest
from django.core.cache.backends.filebased import FileBasedCache
from django.urls import reverse

from core import ratelimit
from core.cache import RedisCache

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["files", "redis"])
def two_workers_caches(request, tmp_path):
    """Two cache clients of one store: a folder of files (embedded default) or one Redis db."""
    if request.param == "redis":
        url = request.getfixturevalue("require_redis")
        return [RedisCache(url, {}), RedisCache(url, {})]
    return [FileBasedCache(str(tmp_path), {}), FileBasedCache(str(tmp_path), {})]


def test_two_workers_share_one_count_of_the_api_limit(
    client, settings, monkeypatch, two_workers_caches
):
    settings.SCOMM_API_RATE = "3/minute"
    turns = iter(two_workers_caches * 10)
    # Each request is served by the other worker, with its own cache client.
    monkeypatch.setattr(ratelimit, "_cache", lambda: next(turns))
    url = reverse("public:api-jurisdiction-list")
    answers = [client.get(url, REMOTE_ADDR="192.0.2.40") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 0 < int(answers[3]["Retry-After"]) <= 60
    assert client.get(url, REMOTE_ADDR="192.0.2.41").status_code == 200


def test_the_api_counts_the_client_behind_the_proxy(client, settings):
    settings.SCOMM_API_RATE = "2/minute"
    settings.SCOMM_PROXY_COUNT = 1
    url = reverse("public:api-jurisdiction-list")

    def get(forwarded):
        return client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert [get(f"192.0.2.{i}, 203.0.113.9") for i in range(3)] == [200, 200, 429]
    assert get("198.51.100.3") == 200  # another client behind the same proxy
