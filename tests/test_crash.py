"""SIGKILL at random moments during a whole-book plan, a large customer import, a large busy
import and a loop of bookings: the book stays sound and each action is whole or absent.

`make test` runs a few kills of each (AMPLAN_KILLS, default 10); `make soak` runs 200 in all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DRIVER = Path(__file__).with_name("crash_driver.py")
SCENARIOS = ("plan", "customer-import", "busy-import", "booking-loop")
KILLS = int(os.environ.get("AMPLAN_KILLS", "10"))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the driver forks (POSIX only)")
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_killed_actions_leave_a_sound_book_and_whole_actions(scenario: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "AMPLAN_CONFIG": str(tmp_path / "config"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    seed = int.from_bytes(os.urandom(4), "big")
    result = subprocess.run(
        [sys.executable, str(DRIVER), str(tmp_path), scenario, str(KILLS), str(seed)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60 + 30 * KILLS,
    )
    assert result.returncode == 0, f"seed {seed}:\n{result.stderr[-3000:]}"
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    print(json.dumps(counts))  # `make soak` shows them (pytest -s)
    assert counts["rounds"] == KILLS
    assert counts["killed"] >= 1, "no round was killed: the delays missed the action"
