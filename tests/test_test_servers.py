"""The servers the tests start never outlive a test run, even one killed with SIGKILL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

TESTS = Path(__file__).parent

STARTER = """
import sys, time
sys.path.insert(0, {tests!r})
from pathlib import Path
from radicale_server import RadicaleServer
server = RadicaleServer(Path({folder!r}))
server.start()
print(server._process.pid, flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too: it only waits for its (killed) parent's reaping.
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\\nState:\\tZ" in status.read_text())


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")
def test_a_killed_run_leaves_no_radicale_behind(tmp_path: Path) -> None:
    script = STARTER.format(tests=str(TESTS), folder=str(tmp_path / "radicale"))
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as run:
        assert run.stdout is not None
        server_pid = int(run.stdout.readline())
        assert _alive(server_pid)
        run.kill()
        run.wait(10)
    deadline = time.monotonic() + 10
    while _alive(server_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(server_pid)
