#!/usr/bin/env bash
# Lists the approvals still waiting for a decision, oldest first, with who they wait on.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/list-pending.sh [--local] [--prefix P] [--profile P] [--region R]
USAGE
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
allow_prefix  # a Greenlight of another prefix: its tables, secrets, functions
parse_common "$@"
[[ ${#REST[@]} -eq 0 ]] || { usage >&2; exit 2; }

aws_cli dynamodb query --output json --table-name "$(table approvals)" --index-name by_status \
  --key-condition-expression "#s = :pending" \
  --expression-attribute-names '{"#s": "status"}' \
  --expression-attribute-values '{":pending": {"S": "pending"}}' \
  | (cd "$ROOT" && "$PY" -m greenlight.ops.pending)
