"""A pytest plugin: the run fails if a process it started is still alive at its end.

"Started by this run" means any of:

* a descendant (child, grandchild...) of the pytest process;
* a process whose environment carries this run's mark: the run adds a value
  unique to it to ``RISEUP_TEST_RUN`` (space-separated, so a pytest run
  started by a test keeps its parent run's mark too), and every process
  started from the run inherits it, even one that was orphaned (re-parented
  to init) after its parent died: the leaks that are otherwise invisible;
* a Stripe emulator whose command line names the pytest process
  (``--parent-pid <pid>``).

At session end (after every fixture finalizer ran) the guard waits a few
seconds (``RISEUP_PROCESS_GUARD_GRACE``, default 5) for such processes to
exit, then reports those still alive, ends them (SIGTERM, then SIGKILL) and
turns the run's exit status into a failure.
Tests that start long-lived helpers (emulators, Celery workers, browsers)
are covered without doing anything; :func:`no_new_processes` checks one test.

Linux only (it reads ``/proc``); elsewhere it does nothing.
"""

import os
import secrets
import signal
import time
from pathlib import Path

import pytest

RUN_ENV = "RISEUP_TEST_RUN"
#: How long processes may take to exit after the last finalizer (seconds).
GRACE_SECONDS = float(os.environ.get("RISEUP_PROCESS_GUARD_GRACE", "5"))
PROC = Path("/proc")

_state = {"run": None, "pid": None, "report": []}


def _read(path, mode="rb"):
    try:
        with open(path, mode) as handle:
            return handle.read()
    except OSError:  # gone meanwhile, or not ours to read
        return None


def _processes():
    """{pid: (ppid, state, argv)} of every live process visible in /proc."""
    found = {}
    for entry in PROC.iterdir() if PROC.is_dir() else ():
        if not entry.name.isdigit():
            continue
        stat = _read(entry / "stat", "r")
        if not stat:
            continue
        fields = stat.rpartition(")")[2].split()  # after "pid (comm)"
        argv = (_read(entry / "cmdline") or b"").split(b"\0")
        found[int(entry.name)] = (int(fields[1]), fields[0], [arg.decode(errors="replace") for arg in argv if arg])
    return found


def _has_mark(pid, run):
    prefix = f"{RUN_ENV}=".encode()
    for variable in (_read(PROC / str(pid) / "environ") or b"").split(b"\0"):
        if variable.startswith(prefix):
            return run.encode() in variable[len(prefix) :].split()
    return False


def _names_parent(argv, pid):
    if "sandbox.stripe_emulator" not in argv:
        return False
    return any(arg == "--parent-pid" and argv[i + 1 : i + 2] == [str(pid)] for i, arg in enumerate(argv))


def started_by_run(run=None, pid=None):
    """{pid: argv} of live processes started by the run (see the module doc)."""
    run = run or _state["run"]
    pid = pid or _state["pid"] or os.getpid()
    table = _processes()
    children = {}
    for child, (parent, _, _) in table.items():
        children.setdefault(parent, []).append(child)
    descendants, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in descendants:
                descendants.add(child)
                todo.append(child)
    result = {}
    for candidate, (_, state, argv) in table.items():
        if candidate == pid or state in ("Z", "X"):  # zombies have exited already
            continue
        if candidate in descendants or (run and _has_mark(candidate, run)) or _names_parent(argv, pid):
            result[candidate] = argv
    return result


def wait_for_exit(pids_of, grace=None):
    """Poll ``pids_of()`` until it is empty or ``grace`` seconds passed; returns the last answer."""
    grace = GRACE_SECONDS if grace is None else grace
    deadline = time.monotonic() + grace
    remaining = pids_of()
    while remaining and time.monotonic() < deadline:
        time.sleep(0.1)
        remaining = pids_of()
    return remaining


def end(pids):
    """SIGTERM these processes (started by this run), then SIGKILL the stubborn ones."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    alive = wait_for_exit(lambda: [pid for pid in pids if pid in started_by_run()], grace=3)
    for pid in alive:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def describe(leftovers):
    return [f"pid {pid}: {' '.join(argv) or '?'}" for pid, argv in sorted(leftovers.items())]


def pytest_configure(config):
    _state["run"] = f"{os.getpid()}-{secrets.token_hex(6)}"
    _state["pid"] = os.getpid()
    _state["report"] = []
    os.environ[RUN_ENV] = " ".join(filter(None, [os.environ.get(RUN_ENV), _state["run"]]))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """After every finalizer (trylast: after pytest tears session fixtures down)."""
    if not PROC.is_dir():
        return
    leftovers = wait_for_exit(started_by_run)
    if not leftovers:
        return
    _state["report"] = describe(leftovers)
    end(list(leftovers))
    if session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if _state["report"]:
        terminalreporter.section("processes left running", sep="=", red=True, bold=True)
        terminalreporter.line(
            f"{len(_state['report'])} process(es) started by this run outlived it (now ended); the run fails:"
        )
        for line in _state["report"]:
            terminalreporter.line("  " + line)


@pytest.fixture
def no_new_processes():
    """Fail the test if a process it started (by this run's rules) outlives it.

    Processes that broader-scoped fixtures start while setting this test up
    count as the test's own: use it where the helpers are function-scoped."""
    before = set(started_by_run())
    yield
    left = wait_for_exit(lambda: {pid: argv for pid, argv in started_by_run().items() if pid not in before})
    if left:
        end(list(left))
        pytest.fail("processes left running by this test (now ended):\n" + "\n".join(describe(left)))
