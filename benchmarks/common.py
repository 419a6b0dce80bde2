"""
What every comparison shares: sizes, the database it runs on, timing, and the processes it starts.

A comparison runs as ``python -m benchmarks.<name> --size smoke|full --db sqlite|mariadb --out FILE``;
:func:`main` parses that, prepares a fresh database (its own name on MariaDB, a temporary file
with SQLite), sets Django up, calls the comparison and writes its JSON result. Every process a
comparison starts goes through :class:`Processes`, which stops them all on the way out, on
failure and on SIGTERM too.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
MYSQL = {
    "host": os.environ.get("RISEUP_MYSQL_HOST", "127.0.0.1"),
    "port": int(os.environ.get("RISEUP_MYSQL_PORT", "3306")),
    "user": os.environ.get("RISEUP_MYSQL_USER", "root"),
    "password": os.environ.get("RISEUP_MYSQL_PASSWORD", ""),
}
#: Every MariaDB database of the benchmark starts with this (``riseup_bench_catalog``...).
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "riseup_bench")

SIZES = {
    "smoke": {
        "catalog_courses": [40],
        "catalog_repeat": 5,
        "gate_repeat": 30,
        "intake_events": 20,
        "intake_seconds": 20,
        "intake_rounds": 1,
        "dashboard_invoices": 200,
        "dashboard_repeat": 3,
        "djstripe": False,
    },
    "full": {
        "catalog_courses": [100, 1000, 10000],
        "catalog_repeat": 15,
        "gate_repeat": 600,
        "intake_events": 300,
        "intake_seconds": 60,
        "intake_rounds": 3,
        "dashboard_invoices": 100_000,
        "dashboard_repeat": 10,
        "djstripe": True,
    },
}


def size_settings(name: str) -> dict:
    """The sizes of a run; ``BENCH_DJSTRIPE=0`` or ``1`` leaves out or adds the dj-stripe baseline."""
    size = dict(SIZES[name], name=name)
    if os.environ.get("BENCH_DJSTRIPE") in ("0", "1"):
        size["djstripe"] = os.environ["BENCH_DJSTRIPE"] == "1"
    return size


# -- databases --------------------------------------------------------------------------------------------------

def mysql_connect(database=None):
    import MySQLdb

    kwargs = dict(MYSQL, charset="utf8mb4")
    if database:
        kwargs["database"] = database
    return MySQLdb.connect(**kwargs)


def mysql_database_name(label: str) -> str:
    return f"{DB_PREFIX}_{label}"


def recreate_mysql_database(name: str) -> None:
    connection = mysql_connect()
    try:
        cursor = connection.cursor()
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    finally:
        connection.close()


def drop_mysql_database(name: str) -> None:
    try:
        connection = mysql_connect()
    except Exception:  # noqa: BLE001 - nothing to clean if the server is gone
        return
    try:
        connection.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
    finally:
        connection.close()


def mysql_server_version() -> str:
    try:
        connection = mysql_connect()
    except Exception as exc:  # noqa: BLE001 - reported, not fatal
        return f"unreachable ({exc})"
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT VERSION()")
        return cursor.fetchone()[0]
    finally:
        connection.close()


#: Django's cache is on Redis, as Tutor's LMS has it; each comparison keeps its keys and channel apart.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def cache_prefix(label: str) -> str:
    return f"riseup-bench-{label}-{os.getpid()}"


def database_env(db: str, label: str, tmpdir: str) -> dict:
    """The environment that points the sandbox settings at this comparison's own database and cache."""
    cache = {"SANDBOX_CACHE_REDIS_URL": REDIS_URL, "SANDBOX_CACHE_KEY_PREFIX": cache_prefix(label),
             "SANDBOX_BROADCAST_CHANNEL": cache_prefix(label)}
    if db == "mariadb":
        return {"RISEUP_TEST_DB": "mariadb", "RISEUP_MYSQL_NAME": mysql_database_name(label), **cache}
    return {"RISEUP_TEST_DB": "sqlite", "SANDBOX_SQLITE_PATH": os.path.join(tmpdir, f"{label}.sqlite3"), **cache}


def remove_redis_keys(url: str, prefix: str) -> None:
    """Keys under ``prefix`` out of Redis: this run's only (Django's ``cache.clear()`` empties the database)."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)
    finally:
        client.close()


def forget_cache(label: str) -> None:
    """The comparison's keys out of Redis at its end (some never expire)."""
    try:
        remove_redis_keys(REDIS_URL, cache_prefix(label))
    except Exception:  # noqa: BLE001 - nothing to clean on a Redis that cannot be reached
        pass


def setup_django(db: str, label: str, tmpdir: str, extra_env: dict | None = None) -> dict:
    """Fresh database, Django configured on it and migrated; returns the environment used."""
    env = database_env(db, label, tmpdir)
    env.update(extra_env or {})
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    if db == "mariadb":
        recreate_mysql_database(env["RISEUP_MYSQL_NAME"])
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return env


# -- timing -----------------------------------------------------------------------------------------------------

def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def interleaved(functions: dict, repeat: int, warmup: int = 2, max_seconds: float = 120.0,
                before=None) -> dict:
    """
    Durations of each function, run in turns (A, B, A, B...) so that drift hits all alike.

    Stops after ``repeat`` turns or ``max_seconds``, whichever comes first; ``before(name)``
    runs untimed before each call (to reset state).
    """
    results = {name: [] for name in functions}
    for _ in range(warmup):
        for name, fn in functions.items():
            if before:
                before(name)
            fn()
    deadline = time.monotonic() + max_seconds
    for _ in range(repeat):
        for name, fn in functions.items():
            if before:
                before(name)
            results[name].append(timed(fn))
        if time.monotonic() > deadline:
            break
    return results


def summary(durations: list[float]) -> dict:
    """Median, quartiles and count, in milliseconds."""
    if not durations:
        return {"n": 0, "median_ms": None}
    ordered = sorted(durations)
    quartiles = statistics.quantiles(ordered, n=4) if len(ordered) >= 2 else [ordered[0]] * 3
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 4),
        "p25_ms": round(quartiles[0] * 1000, 4),
        "p75_ms": round(quartiles[2] * 1000, 4),
        "min_ms": round(ordered[0] * 1000, 4),
    }


def ratio(numerator, denominator):
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 3)


# -- processes --------------------------------------------------------------------------------------------------

class Processes:
    """
    The processes a comparison started, each in its own process group, stopped in reverse order.

    Use as a context manager; SIGTERM and SIGINT become SystemExit so that the ``finally``
    blocks run and nothing is left behind.
    """

    def __init__(self):
        self.started = []  # (name, Popen or an object with stop())

    def start(self, name, command, **kwargs):
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        process = subprocess.Popen(command, start_new_session=True, **kwargs)
        self.started.append((name, process))
        return process

    def adopt(self, name, thing):
        """Something with a ``stop()`` (the emulator runner) to stop with the rest."""
        self.started.append((name, thing))
        return thing

    def stop(self, process, timeout=10.0):
        if hasattr(process, "stop") and not isinstance(process, subprocess.Popen):
            try:
                process.stop(remove_tmpdir=True)
            except TypeError:
                process.stop()
            return
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(5)

    def stop_all(self):
        while self.started:
            _name, process = self.started.pop()
            try:
                self.stop(process)
            except Exception:  # noqa: BLE001 - keep stopping the others
                traceback.print_exc()

    def __enter__(self):
        install_signal_handlers()
        return self

    def __exit__(self, *exc_info):
        self.stop_all()


def _exit_on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def install_signal_handlers():
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)


def wait_until(predicate, timeout: float, interval: float = 0.05, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {message}")


def start_emulator(processes: Processes, **kwargs):
    """The Stripe emulator in a subprocess, stopped with the other processes."""
    from sandbox.stripe_emulator.runner import EmulatorProcess

    emulator = EmulatorProcess(**kwargs)
    processes.adopt("stripe emulator", emulator)
    emulator.start()
    return emulator


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- entry point ------------------------------------------------------------------------------------------------

def main(run, label: str, databases=("sqlite", "mariadb"), needs_django=True):
    """
    The command line of one comparison: ``--size``, ``--db``, ``--out``.

    ``run(size, db, env, processes)`` returns a JSON-able dict; an exception becomes
    ``{"error": ...}`` in the output (and exit status 1), so the report still says what failed.
    """
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=sorted(SIZES), default=os.environ.get("BENCH_SIZE", "full"))
    parser.add_argument("--db", choices=databases, default=databases[0])
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    size = size_settings(args.size)
    tmpdir = tempfile.mkdtemp(prefix=f"riseup-bench-{label}-")
    database_label = f"{label}_{args.db}"
    result, status = {}, 0
    started = time.monotonic()
    try:
        with Processes() as processes:
            env = setup_django(args.db, database_label, tmpdir) if needs_django else {}
            result = run(size, args.db, env, processes)
    except BaseException as exc:  # noqa: BLE001 - reported in the result; SystemExit too
        result = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
        status = 1
    finally:
        if needs_django and args.db == "mariadb":
            try:
                from django.db import connections

                connections.close_all()
            except Exception:  # noqa: BLE001
                pass
            drop_mysql_database(mysql_database_name(database_label))
        if needs_django:
            forget_cache(database_label)
        shutil.rmtree(tmpdir, ignore_errors=True)
    result.setdefault("db", args.db)
    result["seconds"] = round(time.monotonic() - started, 1)
    Path(args.out).write_text(json.dumps(result, indent=2, default=str) + "\n")
    sys.exit(status)
