#!/usr/bin/env bash
# Creates or refreshes .venv from pyproject.toml + constraints.txt. Sourced by the other scripts;
# does nothing when the environment already matches those files.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/bootstrap.sh
Create (or refresh) .venv with Greenlight and its dev tools, pinned by constraints.txt.
Env: PYTHON  interpreter to use (default: python3.11, else python3; needs >= 3.11)
USAGE
}

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then usage; exit 0; fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
stamp="$venv/.greenlight-installed"

python="${PYTHON:-}"
if [[ -z "$python" ]]; then
  python="$(command -v python3.11 || command -v python3 || true)"
fi
if [[ -z "$python" ]] || ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "error: Python >= 3.11 is required (set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi

want="$(cat "$root/pyproject.toml" "$root/constraints.txt" | sha256sum | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi

echo "Setting up $venv (first run, or dependencies changed)..." >&2
[[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -c "$root/constraints.txt" \
  -e "${root}[gate,webhook,cdk]" --group "$root/pyproject.toml:dev"
echo "$want" > "$stamp"
