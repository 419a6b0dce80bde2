"""
Comparisons 4 and 5: webhook intake through a real WSGI server, against dj-stripe; peak RSS of a worker.

    python -m benchmarks.intake --db mariadb --size smoke|full --out FILE

1. Real purchases on the emulator: learners click *Buy* on the sandbox LMS (Django's test client,
   this process, MariaDB) and pay on the emulator. No webhook endpoint is configured, so their
   orders wait for the ``checkout.session.completed`` events, which are read back from the
   emulator's ``/v1/events`` and written to a file.
2. gunicorn, 2 sync workers, serves the sandbox LMS on the same MariaDB database; the load
   generator (:mod:`benchmarks.loadgen`, another process) posts the events signed with the
   webhook secret to ``/riseup-stripe/webhook/``: a few to warm the workers up, then the measured
   ones, bounded in count and time. Each response carries its SQL query count
   (:mod:`benchmarks.querycount`); the emulator counts the Stripe calls; the workers' RSS is
   sampled and their peak (``VmHWM``) read before they stop.
3. The same events, signed with the same secret, go to a minimal dj-stripe site
   (:mod:`benchmarks.djstripe_site`, its own virtualenv, its own MariaDB database, gunicorn with 2
   workers too, re-reading the sessions from the same emulator). Both sites are up together and the
   measured events go in rounds (3 at full size), each round's slice to one site then the other, the
   first alternating: a machine that slows down during the run weighs on both alike. Each site's
   events per second are its events over the time of its rounds together.

Steps 2 and 3 process each event in its request (the plugin's request mode, dj-stripe's only
one): that is the comparison. Then the plugin's Celery mode on events of other purchases: the
same gunicorn answers once the event is stored and queued (Redis, a database number and key
prefix of this run's own), and 2 solo-pool Celery workers process them; reported are the time to
acknowledge and the workers' events per second (the first measured event received to the last
processed).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from .common import (
    REPO_ROOT,
    drop_mysql_database,
    free_port,
    main,
    mysql_database_name,
    ratio,
    recreate_mysql_database,
    remove_redis_keys,
    start_emulator,
    wait_until,
)

BUY_URL = "/riseup-stripe/courses/{course_id}/buy/"
WEBHOOK_PATH = "/riseup-stripe/webhook/"
WARMUP_EVENTS = 6
WORKERS = 2
CONCURRENCY = 2
PREPARE_SECONDS = 300
CELERY_WORKERS = 2
CELERY_BROKER = os.environ.get("BENCH_CELERY_BROKER", "redis://127.0.0.1:6379/13")
CELERY_QUEUES = "edx.lms.core.default"
#: How long the workers may take to finish the measured events once the load stopped.
CELERY_DRAIN_SECONDS = 120


# -- 1. events from real purchases ------------------------------------------------------------------------------

def prepare_events(emulator, count: int) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.test import Client
    from opaque_keys.edx.keys import CourseKey

    from riseup_stripe_plugin.models import CourseOffer, Order, PaymentConfiguration
    from sandbox.platform.models import Course

    PaymentConfiguration.objects.update_or_create(pk=1, defaults={"enabled": True, "default_currency": "eur"})
    courses = []
    for i, (price, currency) in enumerate([(4900, "eur"), (1999, "usd"), (5000, "jpy"), (990, "eur")] * 3):
        key = CourseKey.from_string(f"course-v1:Intake+C{i:02d}+2026")
        Course.objects.create(id=key, display_name=f"Intake course {i}", org="Intake")
        CourseOffer.objects.create(course_key=key, is_paid=True, price=price, currency=currency)
        courses.append(key)
    User = get_user_model()
    password = make_password("pass")
    User.objects.bulk_create([User(username=f"intake{i:04d}", email=f"intake{i:04d}@example.com",
                                   password=password) for i in range(count)])
    client = Client()
    sessions = []
    deadline = time.monotonic() + PREPARE_SECONDS
    for i, learner in enumerate(User.objects.filter(username__startswith="intake").order_by("username")):
        if time.monotonic() > deadline:
            break
        course_key = courses[i % len(courses)]
        client.force_login(learner)
        response = client.post(BUY_URL.format(course_id=course_key))
        if response.status_code != 303:
            raise RuntimeError(f"Buy answered {response.status_code}: {response.content[:300]!r}")
        order = Order.objects.filter(user=learner, course_key=course_key).order_by("-pk").first()
        emulator.pay(order.checkout_session_id)
        sessions.append(order.checkout_session_id)
    wanted, found, after = set(sessions), {}, None
    while len(found) < len(wanted):
        params = {"type": "checkout.session.completed", "limit": 100}
        if after:
            params["starting_after"] = after
        page = emulator.request("GET", "/v1/events", params)
        for event in page["data"]:
            session_id = event["data"]["object"]["id"]
            if session_id in wanted:
                found[session_id] = event
        if not page.get("has_more") or not page["data"]:
            break
        after = page["data"][-1]["id"]
    return [found[session_id] for session_id in sessions if session_id in found]


# -- 2. one server under load --------------------------------------------------------------------------------------

def worker_pids(master_pid: int) -> list[int]:
    try:
        return [int(pid) for pid in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()]
    except OSError:
        return []


def memory_kb(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class RSSSampler(threading.Thread):
    """Samples the workers' RSS every 0.1 s until stopped."""

    def __init__(self, master_pid):
        super().__init__(daemon=True)
        self.master_pid = master_pid
        self.peak_kb = 0
        self.samples = 0
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(0.1):
            for pid in worker_pids(self.master_pid):
                self.peak_kb = max(self.peak_kb, memory_kb(pid, "VmRSS") or 0)
            self.samples += 1


def http_ready(url):
    def ready():
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return True
        except urllib.error.HTTPError:
            return True  # the server answers (405 for a GET on the webhook)
        except OSError:
            return False
    return ready


def load(processes, name, events_file, url, secret, *, skip, count, seconds, workdir) -> dict:
    out = Path(workdir) / f"load-{name}-{skip}.json"
    command = [sys.executable, "-m", "benchmarks.loadgen", "--url", url, "--events", str(events_file),
               "--secret", secret, "--concurrency", str(CONCURRENCY), "--max-events", str(count),
               "--max-seconds", str(seconds), "--skip", str(skip), "--out", str(out)]
    loadgen = processes.start(f"load generator ({name})", command, cwd=REPO_ROOT)
    try:
        loadgen.wait(seconds + 60)
    except subprocess.TimeoutExpired:
        processes.stop(loadgen)
        raise RuntimeError(f"the load generator did not finish within {seconds + 60:.0f} s") from None
    if loadgen.returncode != 0 or not out.exists():
        raise RuntimeError(f"the load generator failed (exit {loadgen.returncode})")
    return json.loads(out.read_text())


class Site:
    """
    One site served by gunicorn (``WORKERS`` sync workers), loaded in rounds; its figures are those of
    every round together. Several sites are up at once and loaded in turns, so that a machine that
    slows down or speeds up during the run weighs on each alike.
    """

    def __init__(self, processes, name, command, env, path, workdir):
        self.processes, self.name, self.workdir = processes, name, workdir
        port = free_port()
        command = [*command, "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", "--timeout", "60",
                   "--graceful-timeout", "5", "--log-level", "warning"]
        self.log_path = Path(workdir) / f"gunicorn-{name}.log"
        with open(self.log_path, "ab") as log:
            self.server = processes.start(f"gunicorn ({name})", command, env=env, cwd=REPO_ROOT, stdout=log,
                                          stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}{path}"
        self.rounds, self.stripe_calls, self.by_endpoint, self.warmup_ok = [], 0, {}, None
        try:
            wait_until(http_ready(self.url), timeout=60, interval=0.2, message=f"gunicorn ({name}) to answer")
            wait_until(lambda: len(worker_pids(self.server.pid)) >= WORKERS, timeout=30, message="the workers")
        except BaseException:
            processes.stop(self.server)
            raise
        self.sampler = RSSSampler(self.server.pid)
        self.sampler.start()

    def warm_up(self, events_file, secret) -> None:
        self.warmup_ok = load(self.processes, self.name, events_file, self.url, secret, skip=0,
                              count=WARMUP_EVENTS, seconds=60, workdir=self.workdir)["ok"]

    def load_round(self, events_file, secret, emulator, *, skip, count, seconds) -> dict:
        """The events ``skip`` to ``skip + count`` (at most ``seconds``), with the Stripe calls they made."""
        emulator.clear_requests()
        result = load(self.processes, self.name, events_file, self.url, secret, skip=skip, count=count,
                      seconds=seconds, workdir=self.workdir)
        calls = emulator.request_count()
        self.stripe_calls += calls["count"]
        for endpoint, number in calls["by_endpoint"].items():
            self.by_endpoint[endpoint] = self.by_endpoint.get(endpoint, 0) + number
        self.rounds.append(result)
        return result

    def figures(self) -> dict:
        """Every round together: events per second over their summed time, medians over all requests."""
        ok = sum(r["ok"] for r in self.rounds)
        wall = sum(r["wall_seconds"] for r in self.rounds)
        latencies = sorted(value for r in self.rounds for value in r["latencies_s"])
        queries = [value for r in self.rounds for value in r["queries"]]
        statuses = {}
        for r in self.rounds:
            for status, number in r["statuses"].items():
                statuses[status] = statuses.get(status, 0) + number

        def pct(q):
            return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 2) if latencies else None

        workers = worker_pids(self.server.pid)
        peaks = [memory_kb(pid, "VmHWM") or 0 for pid in workers]
        result = {
            "sent": sum(r["sent"] for r in self.rounds), "ok": ok, "statuses": statuses,
            "concurrency": CONCURRENCY, "rounds": len(self.rounds), "wall_seconds": round(wall, 3),
            "events_per_second": round(ok / wall, 2) if wall else None,
            "events_per_second_by_round": [r["events_per_second"] for r in self.rounds],
            "ack_median_ms": round(statistics.median(latencies) * 1000, 2) if latencies else None,
            "ack_p95_ms": pct(0.95), "ack_max_ms": pct(1.0),
            "queries_per_event_median": statistics.median(queries) if queries else None,
            "queries_per_event_mean": round(statistics.fmean(queries), 2) if queries else None,
            "warmup_ok": self.warmup_ok,
            "stripe_calls": self.stripe_calls,
            "stripe_calls_per_event": round(self.stripe_calls / ok, 2) if ok else None,
            "stripe_calls_by_endpoint": self.by_endpoint,
            "workers": len(workers),
            "peak_rss_mb": round(max(peaks, default=0) / 1024, 1),
            "peak_rss_mb_per_worker": [round(kb / 1024, 1) for kb in peaks],
            "sampled_rss_peak_mb": round(self.sampler.peak_kb / 1024, 1),
            "master_rss_mb": round((memory_kb(self.server.pid, "VmRSS") or 0) / 1024, 1),
        }
        if ok < result["sent"]:
            result["server_log_tail"] = self.log_path.read_text(errors="replace")[-2000:]
        return result

    def stop(self) -> None:
        self.sampler.stopped.set()
        self.sampler.join(5)
        self.processes.stop(self.server)


def load_in_turns(sites, events_file, secret, emulator, size) -> None:
    """The measured events in ``intake_rounds`` slices, each slice to every site, the first site alternating."""
    rounds = max(1, size["intake_rounds"])
    per_round = -(-size["intake_events"] // rounds)
    for number in range(rounds):
        skip = WARMUP_EVENTS + number * per_round
        count = min(per_round, size["intake_events"] - number * per_round)
        for site in (sites if number % 2 == 0 else list(reversed(sites))):
            site.load_round(events_file, secret, emulator, skip=skip, count=count,
                            seconds=size["intake_seconds"] / rounds)


# -- 3. dj-stripe --------------------------------------------------------------------------------------------------

class DjStripe:
    """dj-stripe's minimal site on its own database, served by gunicorn: :meth:`start`, then :meth:`finish`."""

    def __init__(self, processes, secret, emulator, workdir):
        self.processes, self.secret, self.emulator, self.workdir = processes, secret, emulator, workdir
        self.site, self.database = None, mysql_database_name("intake_djstripe")

    def start(self) -> dict | None:
        """The started site's problem as ``{"unavailable": ...}``, or None once it serves (and is warm)."""
        from .djstripe_env import VENV, DjStripeUnavailable, ensure_venv

        with open(Path(self.workdir) / "djstripe-install.log", "ab") as log:
            try:
                self.python = ensure_venv(log)
            except DjStripeUnavailable as exc:
                return {"unavailable": str(exc), "install_log_tail": _tail(Path(self.workdir) / "djstripe-install.log")}
        recreate_mysql_database(self.database)
        self.env = dict(os.environ, DJANGO_SETTINGS_MODULE="benchmarks.djstripe_site.settings",
                        PYTHONPATH=str(REPO_ROOT), BENCH_DJSTRIPE_DB=self.database,
                        BENCH_STRIPE_API_BASE=self.emulator.base_url, BENCH_COUNT_QUERIES="1")
        try:
            step = "migrate"
            subprocess.run([str(self.python), "-m", "django", "migrate", "-v0"], env=self.env, cwd=REPO_ROOT,
                           check=True, timeout=400, capture_output=True)
            step = "endpoint"
            created = subprocess.run([str(self.python), "-m", "benchmarks.djstripe_site.endpoint", self.secret],
                                     env=self.env, cwd=REPO_ROOT, check=True, timeout=60, capture_output=True,
                                     text=True)
        except subprocess.CalledProcessError as exc:
            output = (exc.stderr or b"")
            output = output.decode(errors="replace") if isinstance(output, bytes) else output
            return {"unavailable": f"dj-stripe's {step} step failed (exit {exc.returncode}): {output[-1500:]}"}
        path = json.loads(created.stdout.strip().splitlines()[-1])["path"]
        self.site = Site(self.processes, "dj-stripe", [str(VENV / "bin" / "gunicorn"),
                                                       "benchmarks.djstripe_site.wsgi:application"],
                         self.env, path, self.workdir)
        return None

    def finish(self) -> dict:
        """The site's figures and dj-stripe's own check of what it stored."""
        result = self.site.figures()
        self.site.stop()
        checked = subprocess.run([str(self.python), "-m", "benchmarks.djstripe_site.check"], env=self.env,
                                 cwd=REPO_ROOT, check=True, timeout=60, capture_output=True, text=True)
        result["check"] = json.loads(checked.stdout.strip().splitlines()[-1])
        return result

    def drop(self) -> None:
        if self.site is not None:
            self.site.stop()
        drop_mysql_database(self.database)


def _tail(path: Path) -> str:
    try:
        return path.read_text(errors="replace")[-1500:]
    except OSError:
        return ""


# -- the comparison ----------------------------------------------------------------------------------------------

def lms_check(events) -> dict:
    from riseup_stripe_plugin.models import Order, StripeEvent

    measured = [event["data"]["object"]["id"] for event in events[WARMUP_EVENTS:]]
    return {
        "orders_fulfilled": Order.objects.filter(checkout_session_id__in=measured, state="fulfilled").count(),
        "events_stored": StripeEvent.objects.filter(event_id__in=[e["id"] for e in events]).count(),
        "events_processed": StripeEvent.objects.filter(event_id__in=[e["id"] for e in events],
                                                       processed=True).count(),
    }


def _processed(event_ids) -> int:
    from riseup_stripe_plugin.models import StripeEvent

    return StripeEvent.objects.filter(event_id__in=event_ids, processed=True).count()


def _wait_processed(event_ids, seconds) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _processed(event_ids) >= len(event_ids):
            return True
        time.sleep(0.2)
    return False


def celery_run(processes, lms_env, secret, events, size, emulator, workdir) -> dict:
    """The plugin in Celery mode: gunicorn acknowledges, Celery workers process."""
    from django.db import connections

    from riseup_stripe_plugin.models import StripeEvent

    prefix = f"riseup-bench-{os.getpid()}:"
    env = dict(lms_env, BENCH_WEBHOOK_MODE="celery", SANDBOX_CELERY_BROKER_URL=CELERY_BROKER,
               SANDBOX_CELERY_KEY_PREFIX=prefix)
    events_file = Path(workdir) / "events-celery.json"
    events_file.write_text(json.dumps(events))
    warmup_ids = [event["id"] for event in events[:WARMUP_EVENTS]]
    measured_ids = [event["id"] for event in events[WARMUP_EVENTS:WARMUP_EVENTS + size["intake_events"]]]
    celery = str(Path(sys.executable).parent / "celery")
    workers = []
    try:
        for i in range(CELERY_WORKERS):
            with open(Path(workdir) / f"celery-{i}.log", "ab") as log:
                workers.append(processes.start(
                    f"celery worker {i}", [celery, "-A", "sandbox.celery", "worker", "--pool=solo", "-Q", CELERY_QUEUES,
                                           "-n", f"riseup-bench-{os.getpid()}-{i}@%h", "--without-gossip",
                                           "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
                    env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT))

        def warmed_up():
            if not _wait_processed(warmup_ids, 60):
                raise RuntimeError("the Celery workers did not process the warm-up events within 60 s")

        site = Site(processes, "plugin-celery", [str(Path(sys.executable).parent / "gunicorn"),
                                                 "benchmarks.wsgi:application"], env, WEBHOOK_PATH, workdir)
        try:
            site.warm_up(events_file, secret)
            warmed_up()
            site.load_round(events_file, secret, emulator, skip=WARMUP_EVENTS, count=size["intake_events"],
                            seconds=size["intake_seconds"])
            result = site.figures()
        finally:
            site.stop()
        acknowledged = measured_ids[:result["ok"]]
        drained = _wait_processed(acknowledged, CELERY_DRAIN_SECONDS)
        stripe_calls = emulator.request_count()["count"]
        rows = StripeEvent.objects.filter(event_id__in=acknowledged)
        first = min(rows.values_list("received_at", flat=True), default=None)
        last = max(rows.filter(processed=True).values_list("processed_at", flat=True), default=None)
        processed = _processed(acknowledged)
        seconds = (last - first).total_seconds() if first and last else None
        result.update({
            "mode": "celery", "celery_workers": CELERY_WORKERS, "drained": drained,
            "worker_events_processed": processed,
            "worker_seconds": round(seconds, 3) if seconds else None,
            "worker_events_per_second": round(processed / seconds, 2) if seconds else None,
            # Counted once the workers finished: the ack requests make none, the workers' re-reads are these.
            "stripe_calls": stripe_calls,
            "stripe_calls_per_event": round(stripe_calls / processed, 2) if processed else None,
        })
        connections.close_all()
        return result
    finally:
        for worker in reversed(workers):
            processes.stop(worker, timeout=20)
        try:
            remove_redis_keys(CELERY_BROKER, prefix)  # this run's keys only: other runs keep theirs
        except Exception:  # noqa: BLE001 - Redis gone: the keys carry the run's own prefix
            pass


def run(size, db, env, processes):
    from django.conf import settings
    from django.db import connections

    workdir = tempfile.mkdtemp(prefix="riseup-bench-intake-")
    try:
        emulator = start_emulator(processes)
        settings.RISEUP_STRIPE_API_BASE = emulator.base_url
        started = time.monotonic()
        per_mode = size["intake_events"] + WARMUP_EVENTS
        prepared = prepare_events(emulator, 2 * per_mode)  # request mode (and dj-stripe), then Celery mode
        events, celery_events = prepared[:per_mode], prepared[per_mode:]
        prepare_seconds = round(time.monotonic() - started, 1)
        if len(events) <= WARMUP_EVENTS:
            raise RuntimeError(f"only {len(events)} events could be prepared")
        events_file = Path(workdir) / "events.json"
        events_file.write_text(json.dumps(events))
        connections.close_all()
        secret = settings.RISEUP_STRIPE_WEBHOOK_SECRET
        lms_env = dict(os.environ, DJANGO_SETTINGS_MODULE="benchmarks.settings", BENCH_COUNT_QUERIES="1",
                       RISEUP_STRIPE_API_BASE=emulator.base_url, PYTHONPATH=str(REPO_ROOT))
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        plugin_site = Site(processes, "plugin", [gunicorn, "benchmarks.wsgi:application"], lms_env, WEBHOOK_PATH,
                           workdir)
        djstripe_server = DjStripe(processes, secret, emulator, workdir) if size["djstripe"] else None
        try:
            plugin_site.warm_up(events_file, secret)
            sites = [plugin_site]
            djstripe = None
            if djstripe_server is not None:
                try:
                    djstripe = djstripe_server.start()
                    if djstripe is None:
                        djstripe_server.site.warm_up(events_file, secret)
                        sites.append(djstripe_server.site)
                except Exception as exc:  # noqa: BLE001 - the rest of the report stands
                    djstripe = {"unavailable": f"{type(exc).__name__}: {exc}"}
            load_in_turns(sites, events_file, secret, emulator, size)
            plugin = plugin_site.figures()
            if djstripe is None and djstripe_server is not None:
                try:
                    djstripe = djstripe_server.finish()
                except Exception as exc:  # noqa: BLE001
                    djstripe = {"unavailable": f"{type(exc).__name__}: {exc}"}
        finally:
            plugin_site.stop()
            if djstripe_server is not None:
                djstripe_server.drop()
        if djstripe_server is None:
            djstripe = {"skipped": "skipped in smoke: dj-stripe's virtualenv is made and measured at full size only"}
        plugin["check"] = lms_check(events)
        plugin["mode"] = "request"
        if len(celery_events) > WARMUP_EVENTS:
            try:
                celery_mode = celery_run(processes, lms_env, secret, celery_events, size, emulator, workdir)
            except Exception as exc:  # noqa: BLE001 - the comparison itself stands
                celery_mode = {"unavailable": f"{type(exc).__name__}: {exc}"}
        else:
            celery_mode = {"unavailable": "not enough events prepared for a second run"}
        return {
            "comparison": "intake", "db": db, "workers": WORKERS, "concurrency": CONCURRENCY,
            "events_prepared": len(events), "warmup_events": WARMUP_EVENTS, "prepare_seconds": prepare_seconds,
            "max_events": size["intake_events"], "max_seconds": size["intake_seconds"],
            "rounds": size["intake_rounds"],
            "plugin": plugin, "djstripe": djstripe, "plugin_celery": celery_mode,
            "ratio_events_per_second": ratio(plugin.get("events_per_second"), djstripe.get("events_per_second")),
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main(run, "intake", databases=("mariadb",))
