"""
How the site is served in production: gunicorn reads this file from the
working directory (the Docker image, docker-compose, and bench/load.py,
which measures what production runs). Arguments on the command line win.

    gunicorn scomm.wsgi --bind 0.0.0.0:8000
"""

import ctypes
import multiprocessing
import os

wsgi_app = "scomm.wsgi"
bind = os.environ.get("SCOMM_BIND", "0.0.0.0:8000")
# WEB_CONCURRENCY, as every gunicorn host knows it; else two per core and one.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# Threads: a request waiting on PostgreSQL or Redis leaves the process to another.
worker_class = "gthread"
threads = int(os.environ.get("SCOMM_WEB_THREADS", "4"))
keepalive = 5
accesslog = os.environ.get("SCOMM_ACCESS_LOG", "-") or None


def _fewer_malloc_arenas(count: int = 2) -> None:
    """
    glibc gives each thread its own malloc arena; with four threads a worker
    holds several partly used ones. Two are enough for a Python process
    (the GIL lets one thread allocate at a time), and the workers forked
    from here inherit the setting. Elsewhere (musl, macOS) nothing changes.
    """
    m_arena_max = -8  # from glibc's malloc.h
    try:
        ctypes.CDLL("libc.so.6").mallopt(m_arena_max, count)
    except (OSError, AttributeError):
        pass


_fewer_malloc_arenas()
