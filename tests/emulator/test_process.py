"""The emulator as a process: command line, loopback only, no stray files."""

import os
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
