"""
``make benchmark``: run every comparison, each in its own process, then write the report.

    python -m benchmarks.run [--size full|smoke] [--out benchmarks/results]

``BENCH_SIZE`` and ``BENCH_OUT`` give the defaults. The folder gets ``report.txt``, ``report.json``,
one PNG per comparison and ``logs/``. A comparison that crashes is reported as such (and the exit
status is 1); a target that does not hold is only reported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from . import report
from .common import REPO_ROOT, Processes, mysql_server_version

#: (comparison, database, time limit in seconds at full size, at smoke size)
JOBS = [
    ("catalog", "sqlite", 480, 60),
    ("catalog", "mariadb", 480, 60),
    ("gate", "sqlite", 240, 60),
    ("gate", "mariadb", 240, 60),
    ("stripe_calls", "sqlite", 120, 60),
    ("intake", "mariadb", 720, 120),
    ("dashboard", "sqlite", 900, 60),
    ("dashboard", "mariadb", 900, 60),
]


def machine() -> dict:
    import django

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        memory = None
    return {
        "cpus": os.cpu_count(), "cpu_model": model or platform.processor(), "memory_gb": memory,
        "python": platform.python_version(), "django": django.get_version(), "mariadb": mysql_server_version(),
        "loadavg_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def run_job(processes, name, db, size, limit, folder) -> dict:
    out = folder / "logs" / f"{name}-{db}.json"
    log_path = folder / "logs" / f"{name}-{db}.log"
    command = [sys.executable, "-m", f"benchmarks.{name}", "--size", size, "--db", db, "--out", str(out)]
    started = time.monotonic()
    with open(log_path, "wb") as log:
        process = processes.start(f"{name} ({db})", command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT,
                                  env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)))
        try:
            process.wait(limit)
        except subprocess.TimeoutExpired:
            processes.stop(process)
            return {"error": f"stopped after {limit} s (time limit of this comparison)"}
    if not out.exists():
        return {"error": f"exited {process.returncode} without a result (see logs/{log_path.name})"}
    result = json.loads(out.read_text())
    result.setdefault("wall_seconds", round(time.monotonic() - started, 1))
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=["full", "smoke"], default=os.environ.get("BENCH_SIZE", "full"))
    parser.add_argument("--out", default=os.environ.get("BENCH_OUT", str(REPO_ROOT / "benchmarks" / "results")))
    parser.add_argument("--only", action="append", help="run only these comparisons (catalog, gate...)")
    args = parser.parse_args(argv)
    folder = Path(args.out).resolve()
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    for old in list(folder.glob("*.png")) + list((folder / "logs").glob("*")):
        old.unlink()
    started = time.monotonic()
    data = {"size": args.size, "started": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
            "results": {}}
    mariadb_up = not data["machine"]["mariadb"].startswith("unreachable")
    failed = False
    with Processes() as processes:
        for name, db, full_limit, smoke_limit in JOBS:
            if args.only and name not in args.only:
                continue
            print(f"[benchmark] {name} on {db}...", flush=True)
            if db == "mariadb" and not mariadb_up:
                result = {"error": f"MariaDB {data['machine']['mariadb']}"}
            else:
                result = run_job(processes, name, db, args.size, full_limit if args.size == "full" else smoke_limit,
                                 folder)
            failed = failed or "error" in result
            print(f"[benchmark] {name} on {db}: " + (f"FAILED: {result['error']}" if "error" in result
                                                     else f"done in {result.get('seconds')} s"), flush=True)
            data["results"].setdefault(name, {})[db] = result
    data["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    data["seconds"] = round(time.monotonic() - started, 1)
    report.write(data, folder)
    print((folder / "report.txt").read_text())
    print(f"[benchmark] report in {folder} ({data['seconds']} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
