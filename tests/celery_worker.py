"""
Starting a real Celery worker from a test: the sandbox's app, the queues Tutor's lms-worker consumes.

No Django import here: a plain child process uses it too (the test that kills a worker's parent).
"""

import ctypes
import os
import signal
import subprocess
import sys
from pathlib import Path

BROKER = os.environ.get("RISEUP_TEST_CELERY_BROKER", "redis://127.0.0.1:6379/11")
#: This run's Redis keys: runs on one machine share the database and the queue names, not the keys.
KEY_PREFIX = f"riseup-test-{os.getpid()}:"
#: The queues Tutor's lms-worker consumes (its LMS_WORKER_COMMAND).
TUTOR_LMS_QUEUES = "edx.lms.core.default,edx.lms.core.high,edx.lms.core.high_mem"
ROOT = Path(__file__).resolve().parent.parent


def die_with_parent():
    """In the child, before exec: the kernel kills it when its parent dies (no orphaned worker)."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def start_worker(env: dict, log_path) -> subprocess.Popen:
    """A solo-pool worker (one process, nothing forked behind it), its output in ``log_path``."""
    with open(log_path, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "sandbox.celery", "worker", "--pool=solo", "-Q", TUTOR_LMS_QUEUES,
             "-n", f"riseup-test-{os.getpid()}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-l", "INFO"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, preexec_fn=die_with_parent,
        )


def stop(process: subprocess.Popen) -> None:
    """Warm shutdown (the task under way finishes), then a kill if it does not come."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
