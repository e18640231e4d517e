"""The distribution as a user gets it: the built wheel, installed into clean virtual environments.

Each extra is installed alone (versions pinned by constraints.txt, as the project installs
everything), and what it must and must not bring is imported there: a durable function that
installs `greenlight[gate]` gets the gate and never Bolt; the webhook's `greenlight[webhook]` never
gets the durable SDK; the bare package is the pure core. The wheel itself holds the library and
its type marker, and nothing of the demo, the local stack, the examples or the tests.
"""

from __future__ import annotations

import subprocess
import zipfile
from typing import TYPE_CHECKING

import pytest

from tests.packaging.conftest import fresh_venv

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.e2e


def importable(python: Path, module: str) -> bool:
    done = subprocess.run(
        [str(python), "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=python.parent,  # never the checkout: only what is installed may be imported
    )
    if done.returncode != 0:
        assert "ModuleNotFoundError" in done.stderr, done.stderr
    return done.returncode == 0


def test_the_wheel_holds_the_library_typed_and_nothing_else(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    ours = {n.split("/")[0] for n in names if not n.startswith("greenlight-")}

    assert ours == {"greenlight"}
    assert "greenlight/py.typed" in names
    assert "greenlight/gate/gate.py" in names
    assert "greenlight/webhook/handler.py" in names
    assert not any(part in n for n in names for part in ("examples/", "localdev/", "tests/"))


def test_the_bare_package_is_the_pure_core(wheel: Path, tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "core", str(wheel))

    assert importable(python, "greenlight.core")
    for module in ("boto3", "slack_sdk", "slack_bolt", "aws_durable_execution_sdk_python"):
        assert not importable(python, module), module


def test_a_durable_function_gets_the_gate_and_never_bolt(wheel: Path, tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "gate", f"greenlight[gate] @ {wheel.as_uri()}")

    assert importable(python, "greenlight.gate.gate")
    assert not importable(python, "slack_bolt")
    assert not importable(python, "mangum")


def test_the_webhook_gets_bolt_and_never_the_durable_sdk(wheel: Path, tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "webhook", f"greenlight[webhook] @ {wheel.as_uri()}")

    assert importable(python, "greenlight.webhook.app")
    assert importable(python, "greenlight.webhook.build")  # what both handlers build from
    assert importable(python, "greenlight.webhook.relay")
    assert not importable(python, "aws_durable_execution_sdk_python")


def test_a_cdk_app_gets_the_construct_and_neither_lambda_sdk(wheel: Path, tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "cdk", f"greenlight[cdk] @ {wheel.as_uri()}")

    assert importable(python, "greenlight.cdk")
    assert not importable(python, "aws_durable_execution_sdk_python")
    assert not importable(python, "slack_bolt")
