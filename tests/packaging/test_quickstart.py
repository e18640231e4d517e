"""The README's "Add a Slack approval" section, done as a new user would: in a fresh venv, from
the built wheel, with the code exactly as the README shows it.

The blocks marked `<!-- quickstart:FILE -->` are written out as files; the wheel is installed
with its `gate` extra plus the durable SDK's test runner and pytest (what step 3 tells users to
install), nothing from this checkout is importable, and the README's own tests must pass there.
"""

from __future__ import annotations

import re
import subprocess
from typing import TYPE_CHECKING

import pytest

from tests.packaging.conftest import ROOT, fresh_venv

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.e2e

BLOCK = re.compile(r"<!-- quickstart:(?P<name>[\w.]+) -->\n```python\n(?P<code>.*?)```", re.S)


def quickstart_files() -> dict[str, str]:
    return {m["name"]: m["code"] for m in BLOCK.finditer((ROOT / "README.md").read_text())}


def test_the_readme_shows_a_workflow_its_handler_and_its_tests() -> None:
    assert sorted(quickstart_files()) == ["handler.py", "test_workflow.py", "workflow.py"]


def test_the_quickstart_runs_from_the_wheel_in_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    project = tmp_path / "my-agent"
    project.mkdir()
    for name, code in quickstart_files().items():
        (project / name).write_text(code)
    python = fresh_venv(
        tmp_path / "venv",
        f"greenlight[gate] @ {wheel.as_uri()}",
        "aws-durable-execution-sdk-python-testing",
        "pytest",
    )

    tests = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_workflow.py"],
        capture_output=True,
        text=True,
        check=False,
        cwd=project,
        timeout=300,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "2 passed" in tests.stdout

    # Deployed without the construct's variables, the handler says exactly what is missing
    cold = subprocess.run(
        [str(python), "-c", "import handler"],
        capture_output=True,
        text=True,
        check=False,
        cwd=project,
        env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "eu-west-1"},
        timeout=120,
    )
    assert cold.returncode != 0
    assert "ConfigError" in cold.stderr
    assert "GREENLIGHT_APPROVALS_TABLE" in cold.stderr
