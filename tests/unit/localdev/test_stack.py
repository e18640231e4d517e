"""Stopping the local stack: its own parts, and nothing else a stale pid file names."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

from localdev import stack
from localdev.config import StackConfig

if TYPE_CHECKING:
    from pathlib import Path

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def recorded(tmp_path: Path, pids: dict[str, int]) -> StackConfig:
    config = StackConfig(root=tmp_path)
    (tmp_path / "pids").mkdir()
    for part, pid in pids.items():
        (tmp_path / "pids" / f"{part}.pid").write_text(str(pid))
    return config


def test_stop_stops_the_parts_it_started_and_leaves_a_reused_pid_alone(tmp_path: Path) -> None:
    # Given a part started as the stack starts them (its own session), and a pid file left
    # behind whose pid now belongs to some other process (in our process group, not its own)
    part = subprocess.Popen(SLEEPER, start_new_session=True)
    stranger = subprocess.Popen(SLEEPER)
    gone = subprocess.Popen([sys.executable, "-c", ""])
    gone.wait()
    config = recorded(tmp_path, {"webhook": part.pid, "host": stranger.pid, "runner": gone.pid})
    try:
        stopped = stack.stop(config)

        # Then the part is stopped, the stranger lives on, and no pid file is left
        assert stopped == ["webhook"]
        assert part.wait(timeout=10) is not None
        assert stranger.poll() is None
        assert list((tmp_path / "pids").iterdir()) == []
    finally:
        stranger.kill()
        part.kill()
        stranger.wait()
        part.wait()
