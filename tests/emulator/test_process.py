"""The emulator as a process: command line, loopback only, no stray files, never left running."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from sandbox.stripe_emulator.runner import (
    REPO_ROOT,
    EmulatorError,
    EmulatorProcess,
    EmulatorThread,
)

PICKLE = Path("/tmp/localstripe.pickle")


def listening_addresses(port):
    """Local addresses listening on ``port`` (from /proc/net/tcp{,6})."""
    found = []
    for name in ("tcp", "tcp6"):
        table = Path(f"/proc/net/{name}")
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.append(address)
    return found


def test_listens_on_loopback_only_and_writes_no_pickle(emu, client):
    before = PICKLE.stat().st_mtime if PICKLE.exists() else None
    client.v1.products.create(params={"name": "No pickle"})
    client.v1.customers.create(params={"email": "p@example.com"})
    after = PICKLE.stat().st_mtime if PICKLE.exists() else None
    assert before == after
    addresses = listening_addresses(emu.port)
    if not addresses:
        pytest.skip("/proc/net/tcp is not available here")
    assert addresses == ["0100007F"]  # 127.0.0.1, and nothing else
    assert sorted(os.listdir(emu.tmpdir)) == ["emulator.log", "port"]


def test_command_line_prints_the_address_and_writes_the_port(tmp_path):
    port_file = tmp_path / "port"
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(REPO_ROOT))
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.stripe_emulator", "--port", "0", "--port-file", str(port_file)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        deadline = time.monotonic() + 10
        while not port_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        port = int(port_file.read_text())
        assert line == f"Stripe emulator listening on http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_test/health") as response:
            assert response.status == 200
    finally:
        process.terminate()
        assert process.wait(10) == 0


def test_webhook_flags_need_a_secret():
    result = subprocess.run(  # noqa: PLW1510 - the exit code is asserted
        [sys.executable, "-m", "sandbox.stripe_emulator", "--webhook-url", "http://x"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
    )
    assert result.returncode == 2 and "--webhook-secret" in result.stderr


def test_stop_start_same_port_and_suspend():
    emulator = EmulatorProcess()
    with emulator:
        port = emulator.port
        emulator.client().v1.products.create(params={"name": "Lost on restart"})
        emulator.stop()
        assert not emulator.is_up()
        with pytest.raises(EmulatorError):
            emulator.requests()
        emulator.start()
        assert emulator.port == port and emulator.is_up()
        assert emulator.client().v1.products.list().data == []
        emulator.suspend()
        with pytest.raises(OSError):
            urllib.request.urlopen(f"{emulator.base_url}/_test/health", timeout=0.5)
        emulator.resume()
        assert emulator.is_up()
    assert emulator.tmpdir is None


def test_in_process_thread_runner():
    with EmulatorThread() as emulator:
        client = emulator.client()
        assert client.v1.products.create(params={"name": "Threaded"}).name == "Threaded"
        sock = socket.create_connection(("127.0.0.1", emulator.port), timeout=1)
        sock.close()
    with pytest.raises((urllib.error.URLError, OSError)):
        urllib.request.urlopen(f"http://127.0.0.1:{emulator.port}/_test/health", timeout=1)


def test_webhook_delay_comes_from_the_environment():
    with EmulatorProcess(webhook_delay=1.5) as emulator:
        assert emulator.webhook_status()["delay"] == 1.5
        emulator.set_webhook_delay(0)
        assert emulator.webhook_status()["delay"] == 0
    with EmulatorProcess(env={"STRIPE_EMULATOR_WEBHOOK_DELAY": ""}) as emulator:
        assert emulator.webhook_status()["delay"] == 0.2


# -- an emulator never outlives the process that started it ----------------------
PARENT = """
import os, sys, threading
sys.path.insert(0, {root!r})
from sandbox.stripe_emulator.runner import EmulatorProcess

def start():
    emulator = EmulatorProcess().start()
    print(emulator.process.pid, emulator.port, flush=True)

if {in_thread!r}:
    thread = threading.Thread(target=start)
    thread.start()
    thread.join()
else:
    start()
sys.stdin.readline()  # the test says when
sys.exit(0)  # no stop(): interpreter exit must do it
"""


def alive(pid):
    """True while ``pid`` runs (a zombie waiting for init to reap it has exited)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def wait_until_gone(pid, timeout=5.0):
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid)


@pytest.mark.parametrize(
    "how, in_thread",
    [("exit", False), ("SIGTERM", False), ("SIGKILL", False), ("SIGKILL", True)],
    ids=["interpreter-exit", "sigterm", "sigkill", "sigkill-started-from-a-thread"],
)
def test_emulator_dies_with_its_parent(how, in_thread):
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc")
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT.format(root=str(REPO_ROOT), in_thread=in_thread, how=how)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        emulator_pid, port = (int(value) for value in parent.stdout.readline().split())
        assert alive(emulator_pid)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_test/health", timeout=2) as response:
            assert response.status == 200
        if how == "exit":
            parent.stdin.write("go\n")
            parent.stdin.flush()
        else:
            parent.send_signal(getattr(signal, how))
        parent.wait(10)
        assert wait_until_gone(emulator_pid), f"emulator {emulator_pid} outlived its parent ({how})"
    finally:
        parent.kill()
        parent.wait(5)


def test_command_line_exits_when_its_parent_is_already_gone():
    result = subprocess.run(  # noqa: PLW1510 - the exit code is asserted
        [sys.executable, "-m", "sandbox.stripe_emulator", "--parent-pid", "999999999"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=20,
        env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
    )
    assert result.returncode == 0 and "listening" not in result.stdout


# -- the run fails when a process outlives it ------------------------------------
LEAKY_TEST = """
import subprocess, sys, time

def test_leaks(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    # A grandchild whose parent exits at once: orphaned, re-parented away from pytest.
    launcher = subprocess.run(
        [sys.executable, "-c",
         "import subprocess, sys; print(subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'],"
         " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).pid)"],
        capture_output=True, text=True, check=True)
    with open({pids!r}, "w") as handle:
        handle.write(f"{{child.pid}} {{launcher.stdout.strip()}}")
"""

CLEAN_TEST = """
import sys
sys.path.insert(0, {root!r})
from sandbox.stripe_emulator.runner import EmulatorProcess

def test_clean():
    with EmulatorProcess() as emulator:
        assert emulator.is_up()
"""


def run_inner_pytest(tmp_path, source):
    test_file = tmp_path / "test_inner.py"
    test_file.write_text(source)
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(PYTHONPATH=str(REPO_ROOT), RISEUP_PROCESS_GUARD_GRACE="0.5")
    command = [sys.executable, "-m", "pytest", "-p", "tests.process_guard", "-p", "no:django"]
    command += ["-p", "no:cacheprovider", "-q", str(test_file)]
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)  # noqa: PLW1510


def test_guard_fails_a_run_that_leaves_processes_behind(tmp_path):
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc")
    pids_file = tmp_path / "pids"
    result = run_inner_pytest(tmp_path, LEAKY_TEST.format(pids=str(pids_file)))
    child, orphan = (int(value) for value in pids_file.read_text().split())
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 passed" in result.stdout and "processes left running" in result.stdout
    assert f"pid {child}:" in result.stdout and f"pid {orphan}:" in result.stdout
    assert not alive(child) and wait_until_gone(orphan)  # ended by the guard


def test_guard_passes_a_run_that_cleans_up(tmp_path):
    result = run_inner_pytest(tmp_path, CLEAN_TEST.format(root=str(REPO_ROOT)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "processes left running" not in result.stdout


def test_no_new_processes_fixture_flags_one_test(tmp_path):
    source = """
import subprocess, sys
pytest_plugins = []

def test_leaks_one(no_new_processes):
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
"""
    result = run_inner_pytest(tmp_path, source)
    assert result.returncode == 1
    assert "processes left running by this test" in result.stdout
    assert "processes left running\n" not in result.stdout.replace("=", "")  # ended by the fixture already
