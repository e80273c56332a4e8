"""
Throughput and latency of the main pages under concurrent load, on the
production stack: gunicorn with DJANGO_DEBUG=0, PostgreSQL and Redis.

    .venv/bin/python bench/load.py [--clients 20] [--seconds 8]

It builds the data set of bench/dataset.py in its own database (scomm_bench
on DATABASE_URL's server; default postgres://postgres@127.0.0.1:5432),
starts gunicorn, and loads each page with N concurrent keep-alive clients.
Every figure is printed beside the ceiling measured in the same run: a
minimal view (/healthz) served by the same gunicorn. Also printed: the
queries each page makes and the web workers' memory.
"""

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def database_url() -> str:
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/scomm"
    )
    parsed = urlparse(base)
    if not parsed.scheme.startswith("postgres"):
        sys.exit("bench/load.py measures the production stack: give it a PostgreSQL DATABASE_URL.")
    return parsed._replace(path="/scomm_bench").geturl()


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'scomm_bench'").fetchone()
        if not exists:
            conn.execute("CREATE DATABASE scomm_bench")


def hammer(port: int, path: str, clients: int, seconds: float, cookie: str = "") -> dict:
    """N threads, each with its own keep-alive connection, for a fixed time."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client():
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], 0
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                conn.request(
                    "GET",
                    path,
                    headers={
                        "Host": "127.0.0.1",
                        "X-Forwarded-Proto": "https",
                        "Accept-Encoding": "gzip",  # as every browser sends
                        **({"Cookie": cookie} if cookie else {}),
                    },
                )
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    n = len(latencies)
    return {
        "requests": n,
        "errors": errors,
        "rps": n / elapsed,
        "median_ms": statistics.median(latencies) * 1000 if n else float("nan"),
        "p95_ms": latencies[int(n * 0.95) - 1] * 1000 if n else float("nan"),
    }


def rss_mb(pid: int) -> float:
    total = 0
    for child in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def children(pid: int) -> list[int]:
    try:
        out = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    return [int(c) for c in out]


def signed_in_cookie(env: dict, jurisdiction_case_id: int) -> str:
    """A session for a sheriff's office user of the first case's county, as a Cookie header."""
    code = (
        "import django, sys; django.setup();"
        "from django.conf import settings; from django.test import Client;"
        "from django.contrib.auth import get_user_model;"
        "from jurisdictions.models import Membership; from optouts.models import OptOutRequest;"
        "case = OptOutRequest.objects.get(pk=int(sys.argv[1]));"
        "user, _ = get_user_model().objects.get_or_create(username='bench-staff');"
        "Membership.objects.get_or_create(user=user, jurisdiction=case.jurisdiction, role='staff');"
        "c = Client(); c.force_login(user);"
        "print(settings.SESSION_COOKIE_NAME + '=' + c.cookies[settings.SESSION_COOKIE_NAME].value)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(jurisdiction_case_id)],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def query_counts(env: dict, paths: dict, cookie: str = "") -> dict:
    code = (
        "import django, json, sys; django.setup();"
        "from django.test import Client; from django.db import connection;"
        "from django.test.utils import CaptureQueriesContext;"
        "c = Client(HTTP_X_FORWARDED_PROTO='https'); out = {};\n"
        "if sys.argv[2]:\n"
        "    name, value = sys.argv[2].split('=', 1); c.cookies[name] = value\n"
        "for name, path in json.loads(sys.argv[1]).items():\n"
        "    r = c.get(path, secure=True); b''.join(r) if r.streaming else r.content\n"
        "    with CaptureQueriesContext(connection) as q:\n"
        "        r = c.get(path, secure=True)\n"
        "        b''.join(r) if r.streaming else r.content\n"
        "    out[name] = (r.status_code, len(q))\n"
        "print(json.dumps(out))"
    )
    import json

    result = subprocess.run(
        [sys.executable, "-c", code, json.dumps(paths), cookie],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2 + 1)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    url = database_url()
    ensure_database(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9"),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "scomm.settings",
    }
    print("Building the data set (once) …", flush=True)
    built = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "dataset.py")], env=env, cwd=ROOT,
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    print(f"  {built}")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True
    )

    import psycopg

    with psycopg.connect(url) as conn:
        case_id = conn.execute(
            "SELECT id FROM optouts_optoutrequest WHERE stage <> 'draft' ORDER BY id LIMIT 1"
        ).fetchone()[0]
    pages = {
        "ceiling (/healthz)": "/healthz",
        "home": "/",
        "case list": "/cases/",
        "case page": f"/cases/{case_id}/",
        "jurisdiction list": "/jurisdictions/",
        "CSV export": "/cases.csv",
        # Signed in only: the lightest page that reads the session and the user.
        "your reminders": "/reminders/",
    }
    cookie = signed_in_cookie(env, case_id)
    page_paths = {k: v for k, v in pages.items() if v != "/healthz"}

    print(
        f"\n{args.clients} concurrent clients, {args.seconds:.0f} s per page, "
        f"gunicorn {args.workers} workers × 4 threads, {os.cpu_count()} cores"
    )
    for title, extra, session in (
        ("Signed-out visitors (the public pages come from the page cache)", {}, ""),
        (
            "Signed in as the county's sheriff's office staff (own header, reminders and "
            "forms; shared parts kept per change)",
            {},
            cookie,
        ),
        (
            "Every page built whole for every request (page cache and kept parts off)",
            {"SCOMM_PAGE_CACHE_SECONDS": "0"},
            "",
        ),
    ):
        run_env = {**env, **extra}
        # Queries of a page as served in this run (a second request: caches warm).
        counts = query_counts(run_env, page_paths, session)
        results, memory = run_server(args, run_env, pages, counts, session)
        report(title, results, counts, memory)


def run_server(args, env, pages, counts, cookie=""):
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"), "scomm.wsgi",
            "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers),
            "--worker-class", "gthread", "--threads", "4", "--keep-alive", "5",
            "--log-level", "warning",
        ],
        env=env, cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        results = {}
        for name, path in pages.items():
            if name != "ceiling (/healthz)" and counts.get(name, (404,))[0] != 200:
                continue
            hammer(args.port, path, min(args.clients, 4), 1.0, cookie)  # warm the workers
            results[name] = hammer(args.port, path, args.clients, args.seconds, cookie)
        return results, rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(20)


def report(title, results, counts, memory):
    ceiling = results["ceiling (/healthz)"]
    print(f"\n{title}\n")
    header = f"{'page':<20}{'req/s':>8}{'× ceiling':>11}{'median ms':>11}{'p95 ms':>9}{'queries':>9}{'errors':>8}"
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        queries = "" if name.startswith("ceiling") else str(counts[name][1])
        print(
            f"{name:<20}{r['rps']:>8.0f}{r['rps'] / ceiling['rps']:>11.2f}"
            f"{r['median_ms']:>11.1f}{r['p95_ms']:>9.1f}{queries:>9}{r['errors']:>8}"
        )
    print(f"\nweb server memory (gunicorn master + workers, RSS): {memory:.0f} MB")


if __name__ == "__main__":
    main()
