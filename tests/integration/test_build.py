"""scripts/build.sh: one Lambda bundle per function, for the runtime, webhook without the SDK."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_bundles_hold_each_function_and_only_what_it_needs(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(ROOT / "scripts" / "build.sh")],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"BUILD_DIR": str(tmp_path)},
        timeout=600,
    )
    assert done.returncode == 0, done.stderr

    orders = zipfile.ZipFile(tmp_path / "orders.zip").namelist()
    webhook = zipfile.ZipFile(tmp_path / "webhook.zip").namelist()
    assert "examples/orders/handler.py" in orders
    assert "greenlight/gate/gate.py" in orders
    assert "greenlight/webhook/handler.py" in webhook
    assert any(n.startswith("aws_durable_execution_sdk_python/") for n in orders)
    assert not any(
        n.startswith(("aws_durable_execution_sdk_python", "greenlight/gate/", "examples/"))
        for n in webhook
    )
    assert not any(n.startswith(("tests/", "localdev/")) for n in orders + webhook)
    assert "orders" in done.stdout
    assert "KiB" in done.stdout
    # Bytecode for the runtime's Python only (never this machine's), or a warning that there's none.
    assert not any(".cpython-" in n and ".cpython-313." not in n for n in orders + webhook)
    if "without bytecode" in done.stderr:
        assert not any(n.endswith(".pyc") for n in orders + webhook)
    else:
        assert "greenlight/webhook/__pycache__/handler.cpython-313.pyc" in webhook
        assert "examples/orders/__pycache__/workflow.cpython-313.pyc" in orders


def test_without_the_runtimes_python_the_bundle_ships_no_bytecode_and_says_so(
    tmp_path: Path,
) -> None:
    path = ":".join(p for p in os.environ["PATH"].split(":") if "pyenv" not in p)
    if shutil.which("python3.13", path=path):
        pytest.skip("this machine has python3.13 outside pyenv")
    done = subprocess.run(
        [str(ROOT / "scripts" / "build.sh")],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ
        | {"BUILD_DIR": str(tmp_path), "PATH": path, "PYENV_ROOT": str(tmp_path / "none")},
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "no python3.13 here: the bundle ships without bytecode" in done.stderr
    webhook = zipfile.ZipFile(tmp_path / "webhook.zip").namelist()
    assert "greenlight/webhook/handler.py" in webhook
    assert not any(n.endswith(".pyc") for n in webhook)
