"""
Throughput and latency of the main pages under concurrent load, on the
production stack: gunicorn with DJANGO_DEBUG=0, PostgreSQL and Redis; then
what each page costs built whole at 1,000, 10,000 and 100,000 cases.

    .venv/bin/python bench/load.py [--clients 20] [--seconds 8] [--sizes 1000,10000,100000]

It builds the data set of bench/dataset.py in databases of its own on
BENCH_DATABASE_URL's (or DATABASE_URL's) server: scomm_bench (10,000 cases,
the load), scomm_bench_1k, scomm_bench_100k… (the other sizes). It starts
gunicorn and loads each page with N concurrent keep-alive clients, with
`wrk` when it is installed (a load generator in C, outside the server's
interpreter), else with Python threads. Every figure is printed beside the
ceiling measured in the same run: a minimal view (/healthz) served by the
same gunicorn. Also printed: the queries each page makes, one request's time
on an idle server, and the web workers' memory.
"""

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CEILING = "ceiling (/healthz)"
LOAD_CASES = 10_000


def database_name(cases: int) -> str:
    """scomm_bench for the load's 10,000 cases, scomm_bench_1k, scomm_bench_100k… for the others."""
    if cases == LOAD_CASES:
        return "scomm_bench"
    size = f"{cases // 1000}k" if cases % 1000 == 0 else str(cases)
    return f"scomm_bench_{size}"


def database_url(cases: int = LOAD_CASES) -> str:
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/scomm"
    )
    parsed = urlparse(base)
    if not parsed.scheme.startswith("postgres"):
        sys.exit("bench/load.py measures the production stack: give it a PostgreSQL DATABASE_URL.")
    return parsed._replace(path=f"/{database_name(cases)}").geturl()


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def build_dataset(env: dict, cases: int) -> str:
    url = database_url(cases)
    ensure_database(url)
    started = time.monotonic()
    built = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "dataset.py"), "--cases", str(cases)],
        env={**env, "DATABASE_URL": url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return f"{database_name(cases)}: {built} ({time.monotonic() - started:.0f} s)"


# --- load generators ------------------------------------------------------

# wrk's script: the headers every browser sends (and the session cookie, when
# signed in), and one line of figures at the end that load.py reads.
WRK_SCRIPT = """
wrk.headers["Host"] = "127.0.0.1"
wrk.headers["X-Forwarded-Proto"] = "https"
wrk.headers["Accept-Encoding"] = "gzip"
local cookie = os.getenv("BENCH_COOKIE") or ""
if cookie ~= "" then wrk.headers["Cookie"] = cookie end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %.1f %.1f\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(95)))
end
"""


def hammer_wrk(port: int, path: str, clients: int, seconds: float, cookie: str = "") -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        out = subprocess.run(
            [
                "wrk", "-t", str(min(2, clients)), "-c", str(clients), "-d", f"{seconds:g}s",
                "--timeout", "10s", "-s", script.name, f"http://127.0.0.1:{port}{path}",
            ],
            env={**os.environ, "BENCH_COOKIE": cookie},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    requests, duration_us, errors, median_us, p95_us = line.split()[1:]
    return {
        "requests": int(requests),
        "errors": int(errors),
        "rps": int(requests) / (int(duration_us) / 1e6),
        "median_ms": float(median_us) / 1000,
        "p95_ms": float(p95_us) / 1000,
    }


def hammer_python(port: int, path: str, clients: int, seconds: float, cookie: str = "") -> dict:
    """N threads, each with its own keep-alive connection, for a fixed time (without wrk)."""
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
                conn.request("GET", path, headers=_headers(cookie))
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


def _headers(cookie: str) -> dict:
    return {
        "Host": "127.0.0.1",
        "X-Forwarded-Proto": "https",
        "Accept-Encoding": "gzip",  # as every browser sends
        **({"Cookie": cookie} if cookie else {}),
    }


def one_request_ms(port: int, path: str, cookie: str = "", times: int = 7) -> float:
    """The median time of one request at a time: what a page costs with no queue in front of it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    spent = []
    try:
        for _ in range(times):
            t0 = time.perf_counter()
            conn.request("GET", path, headers=_headers(cookie))
            conn.getresponse().read()
            spent.append(time.perf_counter() - t0)
    finally:
        conn.close()
    return statistics.median(spent) * 1000


# --- the server -------------------------------------------------------------


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def private_mb(pid: int) -> float:
    """What the process holds alone (not shared with the master or other workers)."""
    total = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    except (FileNotFoundError, PermissionError):
        return 0.0
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


# Queries counted as the database driver runs them (with DEBUG off, Django keeps no log).
COUNTING = """
import contextlib, json, statistics, sys, time
import django
django.setup()
from django.db import connection
from django.test import Client

@contextlib.contextmanager
def counted():
    found = [0]
    def count(execute, sql, params, many, context):
        found[0] += 1
        return execute(sql, params, many, context)
    with connection.execute_wrapper(count):
        yield found
"""


def query_counts(env: dict, paths: dict, cookie: str = "") -> dict:
    """Each page's status and queries, as served: asked twice, the second counted (caches warm)."""
    code = COUNTING + (
        "c = Client(HTTP_X_FORWARDED_PROTO='https'); out = {}\n"
        "if sys.argv[2]:\n"
        "    name, value = sys.argv[2].split('=', 1); c.cookies[name] = value\n"
        "for name, path in json.loads(sys.argv[1]).items():\n"
        "    r = c.get(path, secure=True); b''.join(r) if r.streaming else r.content\n"
        "    with counted() as q:\n"
        "        r = c.get(path, secure=True)\n"
        "        b''.join(r) if r.streaming else r.content\n"
        "    out[name] = (r.status_code, q[0])\n"
        "print(json.dumps(out))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, json.dumps(paths), cookie],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_server(args, env, pages, counts, cookie="", measure=None):
    server = subprocess.Popen(
        [
            # Production's own settings (gunicorn.conf.py), on a port of its own.
            str(Path(sys.executable).parent / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
            "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers),
            "--log-level", "warning",
        ],
        env=env, cwd=ROOT,
    )
    hammer = hammer_wrk if shutil.which("wrk") and not args.python_clients else hammer_python
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        if measure is not None:
            return measure(args.port), {}
        results = {}
        for name, path in pages.items():
            if name != CEILING and counts.get(name, (404,))[0] != 200:
                continue
            hammer(args.port, path, min(args.clients, 4), 1.0, cookie)  # warm every worker
            single = one_request_ms(args.port, path, cookie)
            results[name] = {**hammer(args.port, path, args.clients, args.seconds, cookie),
                             "one_ms": single}
        workers = children(server.pid)
        return results, {
            "master": rss_mb(server.pid),
            "workers": [rss_mb(pid) for pid in workers],
            "private": [private_mb(pid) for pid in workers],
        }
    finally:
        server.terminate()
        server.wait(20)


def report(title, results, counts, memory):
    ceiling = results[CEILING]
    print(f"\n{title}\n")
    header = (
        f"{'page':<22}{'req/s':>7}{'× ceiling':>11}{'median ms':>11}{'p95 ms':>9}"
        f"{'one ms':>9}{'queries':>9}{'errors':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        queries = "—" if name == CEILING else str(counts[name][1])
        print(
            f"{name:<22}{r['rps']:>7.0f}{r['rps'] / ceiling['rps']:>11.2f}"
            f"{r['median_ms']:>11.1f}{r['p95_ms']:>9.1f}{r['one_ms']:>9.1f}{queries:>9}"
            f"{r['errors']:>8}"
        )
    workers = memory["workers"]
    if workers:
        print(
            f"\nweb workers' memory after the load (RSS): {max(workers):.0f} MB at most, "
            f"{statistics.mean(workers):.0f} MB on average ({len(workers)} workers), of which "
            f"{statistics.mean(memory['private']):.0f} MB their own (not shared); "
            f"master {memory['master']:.0f} MB"
        )


# --- the first visitor after a change ---------------------------------------

# A change as a service makes one (every kind of page data moves on), then,
# with "wait", the time until a worker has built the pages again (core.warm).
CHANGE_CODE = """
import json, sys, time
import django
django.setup()
from core import warm
from core.generations import changed, generation
started = time.perf_counter()
changed("cases", "plan", "letters")  # outside a transaction: committed at once
now = generation()
warmed_ms = None
deadline = time.monotonic() + 60
while sys.argv[1] == "wait" and time.monotonic() < deadline:
    if (warm.last() or {}).get("generation") == now:
        warmed_ms = (time.perf_counter() - started) * 1000
        break
    time.sleep(0.01)
print(json.dumps({"warmed_ms": warmed_ms, "delay_s": warm.DELAY_SECONDS}))
"""

CHANGE_PAGES = ("overview", "case list", "jurisdiction list", "CSV export")


def first_after_change(port: int, env: dict, pages: dict, rounds: int) -> dict:
    """
    Each page's first signed-out request after a change: with nothing warmed
    (the request builds it) and once the worker has warmed the pages.
    """
    found = {name: {"cold": [], "warm": []} for name in CHANGE_PAGES}
    warmed, delay = [], None
    for _ in range(rounds):
        for mode in ("cold", "warm"):
            result = subprocess.run(
                [sys.executable, "-c", CHANGE_CODE, "wait" if mode == "warm" else "no"],
                env={**env, "SCOMM_WARM_PAGES": "1" if mode == "warm" else "0"},
                cwd=ROOT, capture_output=True, text=True, check=True,
            )
            if mode == "warm":
                said = json.loads(result.stdout.strip().splitlines()[-1])
                warmed.append(said["warmed_ms"])
                delay = said["delay_s"]
            for name in CHANGE_PAGES:
                found[name][mode].append(one_request_ms(port, pages[name], times=1))
    return {"pages": found, "warmed_ms": warmed, "delay_s": delay}


def report_change(found: dict) -> None:
    print(
        "\nThe first signed-out request after a change (median of "
        f"{len(found['warmed_ms'])} changes)\n"
    )
    header = f"{'page':<22}{'nothing warmed, ms':>20}{'after the warm-up, ms':>23}"
    print(header)
    print("-" * len(header))
    for name, times in found["pages"].items():
        print(
            f"{name:<22}{statistics.median(times['cold']):>20.1f}"
            f"{statistics.median(times['warm']):>23.1f}"
        )
    done = [ms for ms in found["warmed_ms"] if ms is not None]
    if done:
        print(
            f"\nthe worker had warmed them {statistics.median(done):.0f} ms after the change "
            f"(median; {found['delay_s']} s of it the wait for more changes of the same burst)"
        )
    if len(done) < len(found["warmed_ms"]):
        print(f"{len(found['warmed_ms']) - len(done)} warm-ups not seen within a minute")


def start_worker(env: dict) -> subprocess.Popen:
    """A Celery worker as production runs one, for the warm-ups."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "scomm", "worker", "--pool=prefork",
         "--concurrency=1", "--loglevel=WARNING", "--without-gossip", "--without-mingle",
         "--without-heartbeat"],
        env=env, cwd=ROOT, start_new_session=True,
    )
    code = "import django; django.setup(); from scomm.celery import app; print(bool(app.control.ping(timeout=1)))"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ping = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT,
                              capture_output=True, text=True)
        if ping.stdout.strip().endswith("True"):
            return worker
    worker.terminate()
    sys.exit("bench/load.py: the Celery worker did not answer within a minute")


# --- cost against the size of the data --------------------------------------

SCALING_CODE = COUNTING + """
from optouts.models import OptOutRequest

case = OptOutRequest.objects.exclude(stage="draft").order_by("id").values_list("id", flat=True)[0]
pages = {name: path.replace("{case}", str(case)) for name, path in json.loads(sys.argv[1]).items()}
c = Client(HTTP_X_FORWARDED_PROTO="https")
out = {}
for name, path in pages.items():
    def get():
        r = c.get(path, secure=True)
        b"".join(r) if r.streaming else r.content
        return r
    get()  # templates compiled, connection open
    with counted() as q:
        status = get().status_code
    spent = []
    for _ in range(int(sys.argv[2])):
        t0 = time.perf_counter(); get(); spent.append(time.perf_counter() - t0)
    out[name] = {"status": status, "queries": q[0], "ms": statistics.median(spent) * 1000}
print(json.dumps(out))
"""

SCALING_PAGES = {
    "overview": "/",
    "case list": "/cases/",
    "case page": "/cases/{case}/",
    "jurisdiction list": "/jurisdictions/",
    "CSV export": "/cases.csv",
}


def scaling(env: dict, sizes: list[int], times: int) -> dict:
    """Each page built whole (caches off), one request at a time, against each size of the data."""
    found = {}
    for cases in sizes:
        result = subprocess.run(
            [sys.executable, "-c", SCALING_CODE, json.dumps(SCALING_PAGES), str(times)],
            env={**env, "DATABASE_URL": database_url(cases), "SCOMM_PAGE_CACHE_SECONDS": "0"},
            cwd=ROOT, capture_output=True, text=True, check=True,
        )
        found[cases] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def report_scaling(found: dict) -> None:
    sizes = sorted(found)
    label = {n: f"{n // 1000}k" if n % 1000 == 0 else str(n) for n in sizes}
    print(
        "\nEach page built whole (caches off), one request at a time, signed out, "
        "against each size of the data (10 events per case)\n"
    )
    header = (
        f"{'page':<20}"
        + "".join(f"{'queries ' + label[n]:>13}" for n in sizes)
        + "".join(f"{'ms ' + label[n]:>10}" for n in sizes)
        + f"{label[sizes[-1]] + ' / ' + label[sizes[0]]:>12}"
    )
    print(header)
    print("-" * len(header))
    for page in SCALING_PAGES:
        row = [found[n][page] for n in sizes]
        print(
            f"{page:<20}"
            + "".join(f"{r['queries']:>13}" for r in row)
            + "".join(f"{r['ms']:>10.1f}" for r in row)
            + f"{row[-1]['ms'] / row[0]['ms']:>11.2f}×"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2 + 1)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--sizes", default="1000,10000,100000",
        help="cases in each data set of the scaling table (empty: no scaling table)",
    )
    parser.add_argument("--times", type=int, default=5, help="requests timed per page and size")
    parser.add_argument("--no-load", action="store_true", help="only the scaling table")
    parser.add_argument(
        "--python-clients", action="store_true", help="Python threads even when wrk is installed"
    )
    parser.add_argument(
        "--as", dest="modes", default="out,in,whole,change",
        help="which tables: out (signed out), in (signed in), whole (caches off), "
        "change (the first request after a change, with and without the warm-up)",
    )
    parser.add_argument("--changes", type=int, default=5, help="changes made for the change table")
    args = parser.parse_args()
    sizes = sorted({int(n) for n in args.sizes.split(",") if n.strip()})

    url = database_url()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9"),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "SCOMM_ACCESS_LOG": "",  # no access log line per request
        "DJANGO_SETTINGS_MODULE": "scomm.settings",
    }
    print("Building the data sets (once each) …", flush=True)
    for cases in sorted({LOAD_CASES, *sizes}):
        print(f"  {build_dataset(env, cases)}", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True
    )

    if not args.no_load:
        load(args, env, url)
    if sizes:
        report_scaling(scaling(env, sizes, args.times))


def load(args, env: dict, url: str) -> None:
    import psycopg

    with psycopg.connect(url) as conn:
        case_id = conn.execute(
            "SELECT id FROM optouts_optoutrequest WHERE stage <> 'draft' ORDER BY id LIMIT 1"
        ).fetchone()[0]
    pages = {
        CEILING: "/healthz",
        "overview": "/",
        "case list": "/cases/",
        "case page": f"/cases/{case_id}/",
        "jurisdiction list": "/jurisdictions/",
        "CSV export": "/cases.csv",
        # Signed in only: the lightest page that reads the session and the user.
        "their reminders": "/reminders/",
        # The floor of a page built for every request: the base template and
        # one form, no data (never kept: it carries a CSRF token).
        "sign-in page, no data": "/accounts/login/",
    }
    cookie = signed_in_cookie(env, case_id)
    page_paths = {k: v for k, v in pages.items() if k != CEILING}

    generator = "wrk" if shutil.which("wrk") and not args.python_clients else "Python threads"
    print(
        f"\n{args.clients} concurrent clients ({generator}), {args.seconds:.0f} s per page, "
        f"gunicorn {args.workers} workers × 4 threads, {os.cpu_count()} cores shared with "
        "the load generator, PostgreSQL and Redis. one ms: one request at a time."
    )
    modes = set(args.modes.split(","))
    for mode, title, extra, session in (
        ("out", "Signed-out visitors (the public pages come from the page cache)", {}, ""),
        (
            "in",
            "Signed in as the county's sheriff's office staff (own header, bell and forms; "
            "shared parts kept per change)",
            {},
            cookie,
        ),
        (
            "whole",
            "Every page built whole for every request (page cache and kept parts off)",
            {"SCOMM_PAGE_CACHE_SECONDS": "0"},
            "",
        ),
    ):
        if mode not in modes:
            continue
        run_env = {**env, **extra}
        # Queries of a page as served in this run (a second request: caches warm).
        counts = query_counts(run_env, page_paths, session)
        results, memory = run_server(args, run_env, pages, counts, session)
        report(title, results, counts, memory)
    if "change" in modes:
        # The worker asks for the pages at the address the load uses (_headers).
        change_env = {**env, "SCOMM_SITE_URL": "https://127.0.0.1", "SCOMM_WARM_PAGES": "1"}
        worker = start_worker(change_env)
        try:
            found, _ = run_server(
                args, change_env, pages, {}, measure=lambda port: first_after_change(
                    port, change_env, pages, args.changes
                ),
            )
        finally:
            worker.terminate()
            worker.wait(20)
        report_change(found)


if __name__ == "__main__":
    main()
