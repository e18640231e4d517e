#!/usr/bin/env bash
# Everything CI checks: lint, format, types, and every test tier.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/test.sh [pytest args...]
Runs ruff (lint + format check), mypy --strict, then pytest (unit, integration, e2e).
USAGE
}

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then usage; exit 0; fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/bootstrap.sh"
cd "$root"
bin="$root/.venv/bin"

echo "== ruff"
"$bin/ruff" check .
"$bin/ruff" format --check .
echo "== mypy --strict"
"$bin/mypy"
if command -v shellcheck >/dev/null; then
  echo "== shellcheck"
  shellcheck -x scripts/*.sh scripts/lib/*.sh .ci/run
fi
echo "== pytest"
"$bin/python" -m pytest "$@"
