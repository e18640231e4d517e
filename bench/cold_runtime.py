"""Cold start on Lambda's runtime: the shipped webhook bundle under its Python, read-only.

`bench.run` times the cold start in this checkout's interpreter (Python 3.11 here) with its
site-packages. Lambda runs the webhook on python3.13 (`greenlight.cdk`), from the zip that
`scripts/build.sh` makes, in a read-only directory that holds the bytecode the build compiled.
This builds that bundle, unpacks it and runs `bench.run`'s probes there with the runtime's
interpreter, never writing bytecode: ours, the floor, the lower bound any webhook built with
Powertools and Bolt must pay, and the bare imports, all from the same bundle and against the
same local Secrets Manager (moto). `python -m bench.cold_runtime` (needs python3.13, found as
`scripts/build.sh` finds it); writes bench/cold-runtime.json. Never in CI; loopback only.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from bench.bytecode import RUNTIME, runtime_python
from bench.run import COLD_RUNS, cold_start, cold_start_table, machine, support_services
from bench.servers import env_for

HERE = Path(__file__).resolve().parent


def build_bundle(into: Path) -> Path:
    """The webhook's zip as deployed, for this machine's architecture, unpacked into `into`."""
    arch = "arm64" if platform.machine() in ("aarch64", "arm64") else "x86_64"
    subprocess.run(
        [str(HERE.parent / "scripts" / "build.sh"), "--arch", arch, "--python", RUNTIME],
        env=os.environ | {"BUILD_DIR": str(into / "build")}, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    bundle = into / "webhook"
    zipfile.ZipFile(into / "build" / "webhook.zip").extractall(bundle)
    return bundle


def main() -> int:
    python = runtime_python()
    if python is None:
        print(f"skipped: no python{RUNTIME} here (the webhook's runtime)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="greenlight-cold-runtime-") as tmp:
        work = Path(tmp)
        bundle = build_bundle(work)
        with support_services(work) as (urls, _):
            env = {
                "PATH": os.environ["PATH"],
                "PYTHONDONTWRITEBYTECODE": "1",  # Lambda's code directory is read-only
                **env_for(urls),
            }
            cold = cold_start(env, python=python, bundle=bundle)
    table = cold_start_table(cold)
    result = {
        "measured": f"the webhook bundle from scripts/build.sh under python{RUNTIME} "
        f"({platform.machine()}), read-only, median of {COLD_RUNS}, interleaved",
        "machine": machine() | {"python": RUNTIME},
        "cold_start": cold,
        "reproduce": "python -m bench.cold_runtime",
    }
    (HERE / "cold-runtime.json").write_text(json.dumps(result, indent=2) + "\n")
    print("\n".join(table))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
