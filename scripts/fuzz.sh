#!/usr/bin/env bash
# Coverage-guided fuzzing of the webhook with atheris (bench/fuzz_webhook.py), on loopback and
# in-process. Installs atheris into .venv on first use (a wheel for CPython on Linux x86_64;
# elsewhere pip builds it, which needs clang). Findings go to .local/fuzz/; exit 1 if any.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/fuzz.sh [SECONDS] [libFuzzer options...]
  SECONDS  how long to fuzz (default 120)
  e.g. scripts/fuzz.sh 600 -max_len=2048
USAGE
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
seconds=120
if [[ $# -gt 0 && "$1" != -* ]]; then
  [[ "$1" =~ ^[0-9]+$ && "$1" -gt 0 ]] || { echo "error: SECONDS must be a positive whole number, not '$1'" >&2; usage >&2; exit 2; }
  seconds="$1"; shift
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/bootstrap.sh"
python="$root/.venv/bin/python"
"$python" -c 'import atheris' 2>/dev/null \
  || "$python" -m pip install --quiet --disable-pip-version-check "atheris==3.0.0"
mkdir -p "$root/.local/fuzz"
cd "$root"
exec "$python" -m bench.fuzz_webhook -max_total_time="$seconds" -max_len=1024 \
  -artifact_prefix="$root/.local/fuzz/" "$@"
