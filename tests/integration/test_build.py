"""scripts/build.sh: one Lambda bundle per function, for the runtime, webhook without the SDK."""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

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
    assert "durable_fn/handler.py" in orders
    assert "slack_webhook/handler.py" in webhook
    assert any(n.startswith("aws_durable_execution_sdk_python/") for n in orders)
    assert not any(
        n.startswith(("aws_durable_execution_sdk_python", "durable_fn/")) for n in webhook
    )
    assert not any(
        "__pycache__" in n or n.startswith(("tests/", "localdev/")) for n in orders + webhook
    )
    assert "orders" in done.stdout
    assert "KiB" in done.stdout
