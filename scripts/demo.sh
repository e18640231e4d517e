#!/usr/bin/env bash
# The local demo: sets everything up, starts the local stack, submits an order that needs a
# human and shows where it waits. --auto approves it through the signed webhook and waits.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/demo.sh [--auto [--keep]] [--amount CENTS]
  --auto         approve as bob through the real signed webhook path, wait for SUCCEEDED,
                 print the timeline, stop the stack, exit 0
  --keep         with --auto: leave the stack running afterwards
  --amount N     order amount in cents (default 125000 = 1,250.00 EUR: one approver)
Without --auto the stack keeps running; approve with scripts/click.sh, stop with
scripts/stack.sh stop.
USAGE
}

for arg in "$@"; do
  if [[ "$arg" == "-h" || "$arg" == "--help" ]]; then usage; exit 0; fi
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/bootstrap.sh"
cd "$root"
exec "$root/.venv/bin/python" -m localdev.demo "$@"
