"""Cold start of the real webhook bundle, with the bytecode `scripts/build.sh` ships and without.

Lambda's code directory is read-only, so Python cannot cache what it compiles: a bundle without
`__pycache__` compiles boto3, Bolt and our code again on every cold start. This builds the
webhook bundle for this machine's architecture, unpacks it twice (once without bytecode) and
times the handler's imports in fresh runtime interpreters that may not write bytecode, as on
Lambda. `python -m bench.bytecode` (needs the runtime's Python, e.g. python3.13).
"""

from __future__ import annotations

import glob
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNTIME = "3.13"
RUNS = 7
IMPORTS = "import boto3, slack_bolt, mangum, greenlight.webhook.build"


def runtime_python() -> str | None:
    """The runtime's interpreter, where build.sh looks for it (PATH, then pyenv)."""
    root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates = [shutil.which(f"python{RUNTIME}") or ""]
    candidates += sorted(glob.glob(f"{root}/versions/{RUNTIME}*/bin/python{RUNTIME}"))
    check = f"import sys; assert '%d.%d' % sys.version_info[:2] == '{RUNTIME}'"
    for candidate in filter(None, candidates):
        if (
            subprocess.run([candidate, "-c", check], capture_output=True, check=False).returncode
            == 0
        ):
            return candidate
    return None


def import_ms(python: str, folder: Path) -> float:
    """Median milliseconds to import the handler's modules from `folder`, never writing bytecode."""
    code = f"import time; t = time.perf_counter(); {IMPORTS}; print(time.perf_counter() - t)"
    runs = []
    for _ in range(RUNS):
        done = subprocess.run(
            [python, "-c", code], cwd=folder, capture_output=True, text=True, check=True,
            env={"PATH": os.environ["PATH"], "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": ""},
        )  # fmt: skip
        runs.append(1000 * float(done.stdout))
    return statistics.median(runs)


def main() -> int:
    python = runtime_python()
    if python is None:
        print(f"skipped: no python{RUNTIME} here to build bytecode for", file=sys.stderr)
        return 1
    arch = "arm64" if platform.machine() in ("aarch64", "arm64") else "x86_64"
    with tempfile.TemporaryDirectory(prefix="greenlight-bytecode-") as tmp:
        work = Path(tmp)
        subprocess.run(
            [str(HERE.parent / "scripts" / "build.sh"), "--arch", arch, "--python", RUNTIME],
            env=os.environ | {"BUILD_DIR": str(work / "build")}, check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        shipped, bare = work / "shipped", work / "bare"
        for folder in (shipped, bare):
            zipfile.ZipFile(work / "build" / "webhook.zip").extractall(folder)
        for cache in bare.rglob("__pycache__"):
            shutil.rmtree(cache, ignore_errors=True)
        with_bytecode, without = import_ms(python, shipped), import_ms(python, bare)
    result = {
        "measured": f"webhook bundle imports ({IMPORTS}), python{RUNTIME}, {arch}, "
        f"read-only like Lambda, median of {RUNS}",
        "with_shipped_bytecode_ms": round(with_bytecode),
        "without_bytecode_ms": round(without),
        "speedup": round(without / with_bytecode, 2),
        "reproduce": "python -m bench.bytecode",
    }
    (HERE / "bytecode.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
