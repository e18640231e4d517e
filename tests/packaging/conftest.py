"""The wheel, built once per session, and clean virtual environments to install it into."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True,
        timeout=600,
    )
    (built,) = out.glob("greenlight-*.whl")
    return built


def fresh_venv(where: Path, *requirements: str) -> Path:
    """A new virtual environment with only `requirements` installed (pinned); its python."""
    venv.EnvBuilder(with_pip=True).create(where)
    python = where / "bin" / "python"
    constraints = str(ROOT / "constraints.txt")
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-c", constraints, *requirements],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    return python
