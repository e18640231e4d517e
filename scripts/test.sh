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

# System tools the tests use: Debian's chromium (real-browser tests, driven by Playwright) and the
# shell linter. Installed when this machine lets us (root with apt-get); otherwise the browser
# tests skip with a clear reason and shellcheck is left out.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v shellcheck >/dev/null || missing+=(shellcheck)
if [[ ${#missing[@]} -gt 0 && "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
  echo "== installing ${missing[*]}"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) \
    || echo "could not install ${missing[*]}; continuing without" >&2
fi
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="${JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION:-20}"

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
