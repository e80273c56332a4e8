"""
A private production stack for the fault tests: its own PostgreSQL cluster
(initdb in a temporary folder, on a free port), its own redis-server, an SMTP
sink, the site on gunicorn with 3 workers and production settings, a prefork
Celery worker and Celery beat. Every service is started here and only here,
so a test may stop, restart or kill any of them without disturbing anyone.
"""

import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from email import message_from_bytes
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
# As the proxy in front of the site says of a request that came by HTTPS.
HTTPS = {"X-Forwarded-Proto": "https"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def running_in_group(group: int) -> list[int]:
    """The processes of a process group not yet exited (a zombie has closed its files)."""
    alive = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited while we looked
        state, pgrp = fields[0], int(fields[2])
        if pgrp == group and state not in {"Z", "X"}:
            alive.append(int(stat.split("/")[2]))
    return alive


def wait_until(condition, timeout: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise TimeoutError(f"{what}: not within {timeout:.0f} s")


def pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def missing_tools() -> list[str]:
    tools = {"redis-server": shutil.which("redis-server"), "initdb": pg_bin("initdb")}
    tools["pg_ctl"] = pg_bin("pg_ctl")
    return [name for name, path in tools.items() if not path]


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Redis:
    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        # No persistence: what was queued in it is gone after a stop, the worst case.
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=open(self.folder / "redis.log", "ab"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_until(lambda: _port_open(self.port), 15, "redis-server start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


class Postgres:
    """A throwaway cluster; run as the postgres user when the tests run as root."""

    def __init__(self):
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="scomm-faults-pg-"))
        self.data = self.folder / "data"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, "postgres")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/scomm"

    def _ctl(self, *args, timeout=60):
        subprocess.run(
            [*self.as_user, pg_bin("pg_ctl"), "-D", str(self.data), "-l",
             str(self.folder / "postgres.log"), "-w", "-t", "50", *args],
            check=True, timeout=timeout, stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def start(self):
        if not self.data.exists():
            subprocess.run(
                [*self.as_user, pg_bin("initdb"), "-D", str(self.data), "-A", "trust",
                 "-U", "postgres", "--no-sync", "-E", "UTF8"],
                check=True, timeout=120, stdout=subprocess.DEVNULL,
            )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._ctl("-o", options, "start")

    def create_database(self):
        with psycopg.connect(self.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
            c.execute("CREATE DATABASE scomm")

    def restart(self):
        self._ctl("-m", "fast", "restart")

    def stop(self):
        if self.data.exists():
            subprocess.run(
                [*self.as_user, pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                timeout=60, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)


class Sink:
    """The SMTP sink (tests/scomm/smtp_sink.py) and what it accepted."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder / "mail"
        self.proc = None

    def start(self, log: Path):
        self.proc = subprocess.Popen(
            [PYTHON, str(Path(__file__).with_name("smtp_sink.py")), str(self.port), str(self.folder)],
            stdout=open(log, "ab"), stderr=subprocess.STDOUT, cwd=tempfile.gettempdir(),
        )  # fmt: skip
        wait_until(lambda: (self.folder / "ready").exists(), 20, "SMTP sink start")

    def hold(self, on: bool):
        """Hold every DATA unanswered (on), or let them through (off)."""
        (self.folder / "in-data").unlink(missing_ok=True)
        if on:
            (self.folder / "hold").write_text("hold")
        else:
            (self.folder / "hold").unlink(missing_ok=True)

    def holding_one(self) -> bool:
        return (self.folder / "in-data").exists()

    def messages(self) -> list[dict]:
        found = []
        for path in sorted(self.folder.glob("*.eml")):
            msg = message_from_bytes(path.read_bytes())
            found.append(
                {"to": msg["To"], "subject": " ".join((msg["Subject"] or "").split()),
                 "message_id": msg["Message-ID"]}
            )  # fmt: skip
        return found

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


class Stack:
    def __init__(self, extra_env: dict | None = None):
        self.folder = Path(tempfile.mkdtemp(prefix="scomm-faults-"))
        self.logs = self.folder / "logs"
        self.logs.mkdir()
        self.redis = Redis(self.folder)
        self.postgres = Postgres()
        self.sink = Sink(self.folder)
        self.web_port = free_port()
        self.web = self.worker = self.beat = None
        self.faults = self.folder / "faults"
        self.faults.mkdir()
        self.seed: dict = {}
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SCOMM_"))},
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "scomm.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "faults-" + os.urandom(24).hex(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": self.redis.url,
            "EMAIL_URL": f"smtp://127.0.0.1:{self.sink.port}",
            "SCOMM_SITE_URL": f"https://127.0.0.1:{self.web_port}",
            "SCOMM_MEDIA_ROOT": str(self.folder / "media"),
            "SCOMM_PRIVATE_MEDIA_ROOT": str(self.folder / "private"),
            "SCOMM_STATIC_ROOT": str(self.folder / "static"),
            # Four clients from one address are not a flood.
            "SCOMM_API_RATE": "",
            "SCOMM_FOLLOW_RATE_PER_CLIENT": "",
            "SCOMM_FOLLOW_RATE_PER_EMAIL": "",
            # The beat's sweeps every two seconds rather than every hour.
            "SCOMM_REMINDERS_SWEEP_SECONDS": "2",
            # The outbox's sweep (core.outbox) every two seconds rather than every minute.
            "SCOMM_OUTBOX_SWEEP_SECONDS": "2",
            # A task lost in a Redis that restarted empty, or with a killed
            # worker, is sent again after seconds rather than minutes.
            "SCOMM_OUTBOX_AGAIN_AFTER_SECONDS": "5",
            "SCOMM_OUTBOX_RUNNING_AGAIN_AFTER_SECONDS": "10",
            "SCOMM_FAULT_DIR": str(self.faults),
            **(extra_env or {}),
        }
        self.env.pop("CI", None)

    # --- start and stop --------------------------------------------------------

    def manage(self, *args, env=None, timeout=300) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env={**self.env, **(env or {})},
            capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        if result.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self):
        self.redis.start()
        self.postgres.start()
        self.postgres.create_database()
        self.sink.start(self.logs / "smtp.log")
        # The static files are collected while the database is migrated.
        static = self._spawn("collectstatic", [PYTHON, "manage.py", "collectstatic", "--noinput"])
        self.manage("migrate", "--noinput")
        if static.wait(120):
            raise RuntimeError(f"collectstatic failed; see {self.logs}")
        out = self.manage(
            "shell", "-c", "from tests.scomm.stack_seed import main; main()",
            env={"EMAIL_URL": "consolemail://"},
        )  # fmt: skip
        self.seed = json.loads(re.search(r"^SEED (.*)$", out, re.M).group(1))
        self.start_beat()
        self.start_web(wait=False)
        self.start_worker()
        self.wait_for_web()

    def _spawn(self, name: str, args: list[str], env=None) -> subprocess.Popen:
        return subprocess.Popen(
            args, cwd=ROOT, env={**self.env, **(env or {})}, start_new_session=True,
            stdout=open(self.logs / f"{name}.log", "ab"), stderr=subprocess.STDOUT,
        )  # fmt: skip

    def start_web(self, wait=True):
        self.web = self._spawn(
            "gunicorn",
            [PYTHON, "-m", "gunicorn", "scomm.wsgi", "--bind", f"127.0.0.1:{self.web_port}",
             "--workers", "3", "--timeout", "30", "--graceful-timeout", "5"],
        )  # fmt: skip
        if wait:
            self.wait_for_web()

    def wait_for_web(self):
        import requests

        def up():
            try:
                return (
                    requests.get(self.url("/healthz"), headers=HTTPS, timeout=2).status_code == 200
                )
            except requests.RequestException:
                return False

        wait_until(up, 90, "gunicorn start", every=0.3)

    def start_worker(self, env=None):
        """A prefork worker with two children, in a process group of its own."""
        self.worker = self._spawn(
            "worker",
            [PYTHON, "-m", "celery", "-A", "scomm", "worker", "--pool=prefork",
             "--concurrency=2", "--loglevel=WARNING", "--without-mingle", "--without-gossip",
             "-n", f"faults-{time.monotonic_ns()}@%h"],
            env=env,
        )  # fmt: skip
        wait_until(self._worker_answers, 60, "Celery worker start", every=0.5)

    def _worker_answers(self) -> bool:
        from celery import Celery

        if self.worker.poll() is not None:
            raise RuntimeError("the Celery worker exited at start; see " + str(self.logs))
        app = Celery(broker=self.redis.url)
        try:
            return bool(app.control.ping(timeout=0.5))
        except Exception:  # noqa: BLE001 - Redis still starting: ask again
            return False
        finally:
            app.close()

    def kill_worker(self):
        """
        SIGKILL the worker and its pool children at once, as the kernel's OOM
        killer would, and return once every one of them has exited: a pool child
        can outlive its parent by a moment, its sockets still open.
        """
        if self.worker and self.worker.poll() is None:
            group = self.worker.pid
            os.killpg(group, signal.SIGKILL)
            self.worker.wait(10)
            wait_until(lambda: not running_in_group(group), 10, "the worker's children to exit")

    def start_beat(self):
        self.beat = self._spawn(
            "beat",
            [PYTHON, "-m", "celery", "-A", "scomm", "beat", "--loglevel=WARNING",
             f"--schedule={self.folder / 'beat-schedule'}"],
        )  # fmt: skip

    def stop(self):
        for proc in (self.beat, self.worker, self.web):
            if proc and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        self.sink.stop()
        self.redis.stop()
        self.postgres.stop()

    # --- looking at it ------------------------------------------------------------

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.web_port}{path}"

    def sql(self, query: str, *params):
        """Rows of a query on the stack's database, from a connection of its own."""
        with psycopg.connect(self.postgres.url, autocommit=True, connect_timeout=5) as c:
            cursor = c.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def scalar(self, query: str, *params):
        return self.sql(query, *params)[0][0]

    def make_drafts_stale(self, ids: list[int], days: int = 10):
        """These drafts have not been touched for `days`: their reminder falls due today."""
        with psycopg.connect(self.postgres.url, connect_timeout=5) as c:  # one transaction
            c.execute(
                "UPDATE optouts_optoutrequest SET updated_at = now() - make_interval(days => %s),"
                " stage_entered_at = now() - make_interval(days => %s),"
                " opened_on = opened_on - %s WHERE id = ANY(%s)",
                (days, days, days, ids),
            )
            c.execute(
                "UPDATE optouts_caseevent SET occurred_on = occurred_on - %s,"
                " recorded_at = recorded_at - make_interval(days => %s) WHERE request_id = ANY(%s)",
                (days, days, ids),
            )

    def fault_reached(self, step: str) -> bool:
        return any(self.faults.glob(f"{step}.*"))

    def clear_faults(self):
        for path in self.faults.iterdir():
            path.unlink()
