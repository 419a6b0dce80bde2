"""Start and drive the emulator from tests, the demo, or a shell.

:class:`EmulatorProcess` runs it in a subprocess (``sys.executable -m
sandbox.stripe_emulator``, from the repository root): nothing is shared with
the test process, it can be stopped to simulate "Stripe is down", and
``SIGSTOP`` (:meth:`~EmulatorProcess.suspend`) simulates a Stripe that hangs.
:class:`EmulatorThread` serves it in a background thread of the current
process, for fixtures that want no subprocess (one per process: the store is
global). Both expose the same helpers for the test-only routes.

Only the standard library is imported here (stripe-python lazily, by
:meth:`client`), so importing the runner is cheap.
"""

import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from . import API_VERSION, DEFAULT_API_KEY

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 15.0


class EmulatorError(RuntimeError):
    """The emulator did not start, or a test-only call failed."""


def _encode(params):
    """Form-encode nested params the way Stripe clients do (``a[b][0]=c``)."""
    pairs = []

    def walk(prefix, value):
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}[{key}]" if prefix else str(key), item)
        elif isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                walk(f"{prefix}[{index}]", item)
        elif value is not None:
            if isinstance(value, bool):
                value = "true" if value else "false"
            pairs.append((prefix, str(value)))

    walk("", params or {})
    return urllib.parse.urlencode(pairs).encode()


class Fault(dict):
    """A fault rule as the emulator reports it (``id``, ``action``, ``status``,
    ``remaining``, ``hits``...). It stays on until :meth:`remove` or
    :meth:`_Controls.clear_faults`; used as a context manager, it is removed
    at the end of the block."""

    def __init__(self, controls, data):
        super().__init__(data)
        self._controls = controls

    def remove(self):
        with contextlib.suppress(EmulatorError):  # already gone, or the emulator was stopped
            self._controls.remove_fault(self["id"])

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.remove()


def unreachable_base_url():
    """An ``http://127.0.0.1:PORT`` where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class _Controls:
    """Helpers for the ``/_test`` and ``/_config`` routes (shared by both runners)."""

    base_url = None
    api_key = DEFAULT_API_KEY

    def request(self, method, path, params=None, timeout=10):
        """Call the emulator; returns the decoded JSON (or None for empty bodies)."""
        if self.base_url is None:
            raise EmulatorError("the emulator is not running")
        data = _encode(params) if method in ("POST", "PUT") else None
        url = self.base_url + path
        if method not in ("POST", "PUT") and params:
            url += "?" + _encode(params).decode()
        request = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        if path.startswith("/v1"):
            request.add_header("Authorization", f"Bearer {self.api_key}")
            request.add_header("Stripe-Version", API_VERSION)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            raise EmulatorError(f"{method} {path} -> {error.code}: {error.read().decode(errors='replace')}") from None
        except (urllib.error.URLError, OSError) as error:
            raise EmulatorError(f"{method} {path}: the emulator is unreachable ({error})") from error
        return json.loads(body) if body.strip() else None

    def client(self, api_key=None, **kwargs):
        """A stripe-python ``StripeClient`` pointed at the emulator (no retries)."""
        import stripe

        kwargs.setdefault("max_network_retries", 0)
        return stripe.StripeClient(
            api_key or self.api_key,
            stripe_version=API_VERSION,
            base_addresses={"api": self.base_url},
            **kwargs,
        )

    # -- data and webhooks ---------------------------------------------------
    def flush(self):
        """Forget all objects, events, idempotency keys, request log and faults."""
        self.request("DELETE", "/_config/data")

    def configure_webhook(self, url, secret, events=None, endpoint_id="default"):
        """Send events (all, or only ``events``) to ``url``, signed with ``secret``."""
        params = {"url": url, "secret": secret}
        if events:
            params["events"] = list(events)
        return self.request("POST", f"/_config/webhooks/{endpoint_id}", params)

    def remove_webhook(self, endpoint_id="default"):
        return self.request("DELETE", f"/_config/webhooks/{endpoint_id}")

    def pause_webhooks(self):
        return self.request("POST", "/_test/webhooks/pause")

    def resume_webhooks(self):
        return self.request("POST", "/_test/webhooks/resume")

    def webhook_status(self):
        return self.request("GET", "/_test/webhooks")

    def set_webhook_delay(self, seconds):
        return self.request("POST", "/_test/webhooks/delay", {"seconds": seconds})

    @contextlib.contextmanager
    def webhooks_paused(self):
        """Inside the block events are stored and held, not sent (Stripe could not
        reach the endpoint); they stay held afterwards until :meth:`deliver_held`."""
        self.pause_webhooks()
        try:
            yield self
        finally:
            with contextlib.suppress(EmulatorError):
                self.resume_webhooks()

    def held_events(self):
        """Ids of the events held back while paused, oldest first."""
        return self.webhook_status()["held"]

    def deliver_held(self, *event_ids, times=1):
        """Send held events now: these (in this order) or all (oldest first),
        each ``times`` times; they are no longer held. Returns the attempts."""
        params = {"times": times}
        if event_ids:
            params["ids"] = list(event_ids)
        return self.request("POST", "/_test/webhooks/deliver_held", params)["deliveries"]

    def redeliver(self, *event_ids, times=1):
        """Send stored events again, now, in this order, each ``times`` times
        (same payload); returns the attempts."""
        if len(event_ids) == 1:
            path = f"/_test/events/{event_ids[0]}/redeliver"
            return self.request("POST", path, {"times": times})["deliveries"]
        return self.request("POST", "/_test/events/redeliver", {"ids": list(event_ids), "times": times})["deliveries"]

    def deliveries(self):
        return self.request("GET", "/_test/deliveries")["data"]

    def events(self, type=None, limit=100):
        """Stored events, newest first (``GET /v1/events``)."""
        params = {"limit": limit}
        if type:
            params["type"] = type
        return self.request("GET", "/v1/events", params)["data"]

    # -- payments --------------------------------------------------------------
    def pay(self, session_id, outcome="paid", promotion_code=None, email=None, name=None):
        """Pay a Checkout Session as a customer would; returns the session."""
        params = {"outcome": outcome, "promotion_code": promotion_code, "email": email, "name": name}
        return self.request("POST", f"/_test/checkout/sessions/{session_id}/pay", params)

    def dispute(self, charge_id, amount=None, reason=None):
        return self.request("POST", f"/_test/charges/{charge_id}/dispute", {"amount": amount, "reason": reason})

    def close_dispute(self, dispute_id, status):
        return self.request("POST", f"/_test/disputes/{dispute_id}/close", {"status": status})

    def refund_in_dashboard(self, charge_id, amount=None, reason=None):
        """Refund a charge as someone would in the Stripe Dashboard (all that is
        left when ``amount`` is None); sends ``charge.refunded`` and
        ``refund.created``. Returns the refund."""
        return self.request("POST", f"/_test/charges/{charge_id}/refund", {"amount": amount, "reason": reason})

    def delete_customer(self, customer_id):
        """Delete a Customer as in the Dashboard (``DELETE /v1/customers/{id}``):
        it can still be retrieved (``deleted: true``); any other use is
        ``resource_missing``."""
        return self.request("DELETE", f"/v1/customers/{customer_id}")

    def advance_clock(self, seconds):
        return self.request("POST", "/_test/clock", {"advance": int(seconds)})

    def freeze_clock(self, frozen=True):
        """Stop the emulated clock (or let it run again): objects created
        between two ``advance_clock`` calls then share one second."""
        return self.request("POST", "/_test/clock", {"freeze": bool(frozen)})

    # -- requests and faults -------------------------------------------------
    def requests(self):
        """API requests received (method, path, params, idempotency_key, stripe_version...)."""
        return self.request("GET", "/_test/requests")["data"]

    def clear_requests(self):
        self.request("DELETE", "/_test/requests")

    def request_count(self):
        """``{"count": N, "by_endpoint": {"POST /v1/customers": 1, ...}}`` since the last flush or clear."""
        return self.request("GET", "/_test/requests/count")

    def add_fault(self, path_prefix, status=503, count=None, method=None, should_retry=None):
        """Answer ``status`` to the next ``count`` matching calls (all when None); a :class:`Fault`."""
        params = {
            "path_prefix": path_prefix,
            "status": status,
            "count": count,
            "method": method,
            "should_retry": should_retry,
        }
        return Fault(self, self.request("POST", "/_test/faults", params))

    def fail_api(self, status=500, count=None, path_prefix="/v1/", method=None, should_retry=None):
        """Stripe answering errors: every API call (or the next ``count``) gets
        ``status`` (500: ``api_error``; 429: ``rate_limit``, as Stripe); a :class:`Fault`."""
        return self.add_fault(path_prefix, status, count, method, should_retry)

    def unreachable(self, count=None, path_prefix="/v1/", method=None):
        """Stripe unreachable: every API call (or the next ``count``) has its
        connection closed with no answer, so clients raise a connection error
        (``stripe.APIConnectionError``); a :class:`Fault`."""
        params = {"path_prefix": path_prefix, "count": count, "method": method, "action": "disconnect"}
        return Fault(self, self.request("POST", "/_test/faults", params))

    def faults(self):
        """The fault rules, with how many calls each has failed (``hits``)."""
        return [Fault(self, rule) for rule in self.request("GET", "/_test/faults")["data"]]

    def remove_fault(self, fault_id):
        self.request("DELETE", f"/_test/faults/{fault_id}")

    def clear_faults(self):
        self.request("DELETE", "/_test/faults")

    def is_up(self):
        try:
            self.request("GET", "/_test/health", timeout=1)
            return True
        except (EmulatorError, OSError):
            return False

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()


#: Processes started and not stopped yet: stopped at interpreter exit.
_running = set()


@atexit.register
def _stop_all():
    for emulator in list(_running):
        with contextlib.suppress(Exception):
            emulator.stop()


class EmulatorProcess(_Controls):
    """The emulator in a subprocess; a context manager.

    ``port=0`` lets the OS choose a free port; once started, :meth:`stop` then
    :meth:`start` comes back on the same port (with empty data).

    The process never outlives the one that started it, however that one
    ends: :meth:`stop`, or at interpreter exit; and when it is killed
    (SIGTERM, SIGKILL), the emulator sees its stdin pipe close, gets SIGTERM
    from the kernel (Linux, ``PR_SET_PDEATHSIG``, when started from the main
    thread) and checks its parent pid twice a second: it exits on its own.
    """

    def __init__(self, port=0, webhook_url=None, webhook_secret=None, webhook_delay=None, env=None, verbose=False):
        self.port = port
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.webhook_delay = webhook_delay
        self.extra_env = dict(env or {})
        self.verbose = verbose
        self.process = None
        self.tmpdir = None
        self.base_url = None

    @property
    def log_path(self):
        return os.path.join(self.tmpdir, "emulator.log") if self.tmpdir else None

    def start(self):
        if self.process is not None and self.process.poll() is None:
            return self
        if self.tmpdir is None:
            self.tmpdir = tempfile.mkdtemp(prefix="stripe-emulator-")
        port_file = os.path.join(self.tmpdir, "port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        command = [
            sys.executable,
            "-m",
            "sandbox.stripe_emulator",
            "--port",
            str(self.port),
            "--port-file",
            port_file,
            "--parent-pid",
            str(os.getpid()),
            "--watch-stdin",
        ]
        if threading.current_thread() is threading.main_thread():
            command.append("--parent-death-signal")
        if self.webhook_url:
            command += ["--webhook-url", self.webhook_url, "--webhook-secret", self.webhook_secret or ""]
        if self.verbose:
            command.append("--verbose")
        env = dict(os.environ, TMPDIR=self.tmpdir, PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        if self.webhook_delay is not None:
            env["STRIPE_EMULATOR_WEBHOOK_DELAY"] = str(self.webhook_delay)
        env.update(self.extra_env)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the child, closed by stop()
        self.process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            # Only this process holds the write end (close_fds): end of file
            # for the emulator means we are gone.
            stdin=subprocess.PIPE,
        )
        _running.add(self)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if os.path.exists(port_file):
                self.port = int(Path(port_file).read_text())
                self.base_url = f"http://127.0.0.1:{self.port}"
                if self.is_up():
                    return self
            time.sleep(0.05)
        log = self.read_log()
        self.stop()
        raise EmulatorError(f"the Stripe emulator did not start within {START_TIMEOUT:.0f} s:\n{log}")

    def read_log(self):
        try:
            return Path(self.log_path).read_text(errors="replace")
        except (OSError, TypeError):
            return ""

    def suspend(self):
        """Freeze the process (SIGSTOP): calls hang until :meth:`resume`."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def stop(self, remove_tmpdir=False):
        """Terminate the process (data is lost); the temporary folder stays for its log."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGCONT)
                self.process.terminate()
                try:
                    self.process.wait(5)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(5)
            if self.process.stdin is not None:
                self.process.stdin.close()
            self.process = None
        _running.discard(self)
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None
        if remove_tmpdir and self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def __exit__(self, *exc_info):
        self.stop(remove_tmpdir=True)


class EmulatorThread(_Controls):
    """The emulator served by a background thread of this process."""

    def __init__(self, port=0, webhook_url=None, webhook_secret=None):
        self.port = port
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.base_url = None
        self._thread = None
        self._loop = None
        self._runner = None

    def start(self):
        import asyncio

        from .app import start as start_app

        ready = threading.Event()
        failure = []

        def run():
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            try:
                self._runner, self.port = loop.run_until_complete(
                    start_app(self.port, self.webhook_url, self.webhook_secret)
                )
            except Exception as exc:  # noqa: BLE001 - reported to the starting thread
                failure.append(exc)
                ready.set()
                return
            self.base_url = f"http://127.0.0.1:{self.port}"
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="stripe-emulator", daemon=True)
        self._thread.start()
        if not ready.wait(START_TIMEOUT) or failure:
            raise EmulatorError(f"the Stripe emulator did not start: {failure[:1]}")
        return self

    def stop(self):
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._thread = self._loop = self._runner = None
        self.base_url = None


def run_in_thread(port=0, webhook_url=None, webhook_secret=None):
    """Start an :class:`EmulatorThread` and return it."""
    return EmulatorThread(port, webhook_url, webhook_secret).start()
