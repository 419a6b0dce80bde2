"""
No test leaves a process behind. The run's guard (tests/process_guard.py) fails the whole run at its end
if anything it started is alive; here, at the end of the reliability suite (this file runs last in it),
the same check is made at once, and the guard is shown to see a leak that has lost its parent.
"""

import subprocess
import time

from ..conftest import wait_for
from ..process_guard import end, started_by_run


def test_an_orphaned_process_is_seen_by_the_guard(figure):
    # The shell exits at once; its "sleep" is re-parented to init: no longer a descendant of this run.
    subprocess.run(["sh", "-c", "sleep 300 >/dev/null 2>&1 &"], check=True)
    orphan = wait_for(lambda: [pid for pid, argv in started_by_run().items() if argv[:2] == ["sleep", "300"]],
                      message="the orphan to be seen")
    end(orphan)
    wait_for(lambda: not [pid for pid in orphan if pid in started_by_run()], message="the orphan to end")


def test_nothing_the_suite_started_is_still_running(emulator_process, figure):
    time.sleep(0.5)
    alive = {pid: argv for pid, argv in started_by_run().items() if pid != emulator_process.process.pid}
    assert alive == {}, alive
    figure("processes-left", f"after the reliability suite: {len(alive)} process started by it still running "
           "(besides the run's one Stripe emulator, stopped at the end of the run)")
