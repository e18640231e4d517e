#!/usr/bin/env bash
# Runs the benchmarks (bench/run.py), each against its baseline in the same run, on loopback,
# and writes bench/results.md and bench/results.json; then shipped bytecode (bench/bytecode.json),
# callback→resumed (bench/resume.json), load (bench/load.json), cost per 1M approvals
# (bench/cost.json) and 1,000 pending (bench/waiting-1000.json). 10,000 pending takes about an
# hour here: `.venv/bin/python -m bench.waiting --pending 10000`.
# Takes about ten minutes; never part of CI.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/bench.sh
USAGE
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
[[ $# -eq 0 ]] || { usage >&2; exit 2; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/bootstrap.sh"
cd "$root"
"$root/.venv/bin/python" -m bench.run
"$root/.venv/bin/python" -m bench.write_cost
"$root/.venv/bin/python" -m bench.bytecode || echo "bench.bytecode skipped (see above)" >&2
"$root/.venv/bin/python" -m bench.resume --each 8
"$root/.venv/bin/python" -m bench.load --approvals 100
"$root/.venv/bin/python" -m bench.cost
"$root/.venv/bin/python" -m bench.waiting --pending 1000
