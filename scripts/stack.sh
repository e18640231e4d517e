#!/usr/bin/env bash
# Starts, stops or shows the local stack (durable runner, Lambda host, webhook, fake Slack,
# payments, DynamoDB), all on 127.0.0.1, logs in .local/logs.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/stack.sh start|stop|status
USAGE
}

case "${1:-}" in
  start|stop|status) ;;
  -h|--help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/bootstrap.sh"
cd "$root"
exec "$root/.venv/bin/python" -m localdev.stack "$1"
