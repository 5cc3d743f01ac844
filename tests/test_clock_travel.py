"""A server subprocess keeps the test session's clock (tests/clock_travel.py, docs/testing.md)."""
import os
import subprocess
import sys
import time
from pathlib import Path

import time_machine

ROOT = Path(__file__).resolve().parents[1]
YEAR = 365 * 86400


def real_time():
    """The machine's clock, also while the session travels (--clock)."""
    hatch = time_machine.escape_hatch
    return hatch.time.time() if hatch.is_travelling() else time.time()


def test_a_subprocess_importing_clock_travel_runs_ahead_by_the_offset():
    env = os.environ | {"PORTAL_TEST_CLOCK_OFFSET": str(YEAR)}
    # the pause stands for a server's start-up: its clock must not fall behind by it
    code = ("import tests.clock_travel, datetime, time; time.sleep(3); "
            "print(datetime.datetime.now().timestamp())")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True).stdout
    ahead = float(out) - real_time()
    assert YEAR - 2 < ahead <= YEAR


def test_without_an_offset_the_subprocess_clock_is_real():
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_TEST_CLOCK_OFFSET"}
    code = "import tests.clock_travel, time; print(time.time())"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True).stdout
    assert abs(float(out) - real_time()) < 3600
