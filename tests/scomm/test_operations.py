"""
What an operator relies on: /readyz names what is down, every error line
names its request, and a Redis that cannot be reached costs pages nothing
but their kept copies.
"""

import logging
import socket

import pytest
from django.core.cache import caches
from django.urls import path, reverse

from scomm import views as scomm_views

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_readyz_says_each_part_is_ok(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True
    assert {k: v.startswith("ok") for k, v in body.items() if k != "ready"} == {
        "database": True,
        "cache": True,
        "broker": True,
    }


def test_readyz_names_what_is_down_with_a_503(client, monkeypatch):
    def down():
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setitem(scomm_views.CHECKS, "cache", down)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False and body["database"].startswith("ok")
    assert body["cache"].startswith("down: ConnectionError: Error 111")
    assert client.get("/healthz").status_code == 200, "liveness does not depend on it"


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", broken)]


@pytest.mark.urls(__name__)
def test_a_request_error_is_one_line_naming_the_request(client, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/broken/", HTTP_X_REQUEST_ID="req-4711")
    assert response.status_code == 500
    errors = [r for r in caplog.records if r.name == "django.request"]
    assert len(errors) == 1
    assert errors[0].request_id == "req-4711"
    assert "Internal Server Error: /broken/" in errors[0].getMessage()
    assert response["X-Request-ID"] == "req-4711"


def test_a_redis_that_cannot_be_reached_leaves_pages_and_writes_working(
    client, settings, django_user_model
):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        },
    }
    settings.SCOMM_PAGE_CACHE_SECONDS = 60
    try:
        for url in (reverse("home"), reverse("optouts:list"), reverse("public:cases_csv")):
            assert client.get(url).status_code == 200, url
        user = django_user_model.objects.create_user("deputy", password="pw-12345-long")
        assert (
            client.post(
                reverse("login"), {"username": "deputy", "password": "pw-12345-long"}
            ).status_code
            == 302
        ), "sign-in works with the cache down"
        assert client.get(reverse("reminders:list")).status_code == 200
        assert user.pk
    finally:
        caches["default"].close()


def test_no_task_depends_on_a_result_store():
    """
    Nothing reads a task's result, so there is no result store: a Redis
    result store that went away left Celery beat unable to send a task
    until restarted. The worker and beat wait for the broker for ever.
    """
    from celery.backends.base import DisabledBackend

    from scomm.celery import app

    assert isinstance(app.backend, DisabledBackend)
    assert app.conf.task_ignore_result is True
    assert app.conf.broker_connection_max_retries is None
