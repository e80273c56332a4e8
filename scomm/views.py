from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """For load balancers and container health checks: answers without touching the database."""
    return HttpResponse("ok", content_type="text/plain")


def _database() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _cache() -> str:
    """Asks Redis itself, past the circuit breaker that makes it look like a miss."""
    from django.core.cache import cache

    client = getattr(cache, "_cache", None)
    if hasattr(client, "get_client"):
        client.get_client(write=True).ping()
        return "ok"
    cache.set("scomm:readyz", 1, 5)
    return "ok"


def _broker() -> str:
    from core.outbox import FAIL_FAST
    from scomm.celery import app

    if app.conf.task_always_eager:
        return "ok (tasks run in-process)"
    with app.connection_for_write(transport_options=FAIL_FAST) as connection:
        connection.ensure_connection(max_retries=1, timeout=1)
    return "ok"


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


@never_cache
def readyz(request):
    """
    Whether this process can serve everything: the database, the cache and
    the broker, each named with "ok" or why it is down. 503 when any is
    down; the site still serves pages without the cache or the broker, so
    take a process out of a load balancer on /healthz, and alert on this.
    """
    status = {}
    for name, check in CHECKS.items():
        try:
            status[name] = check()
        except Exception as exc:  # noqa: BLE001 - a check names what failed, whatever it is
            status[name] = f"down: {exc.__class__.__name__}: {exc}"[:300]
    ready = all(value.startswith("ok") for value in status.values())
    return JsonResponse({"ready": ready, **status}, status=200 if ready else 503)
