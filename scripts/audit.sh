#!/usr/bin/env bash
# Prints an approval's audit trail as a timeline: requested, votes, reminders, escalation,
# decision or expiry, with who, why, and where in Slack.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/audit.sh <approval_id> [--local] [--prefix P] [--profile P] [--region R]
USAGE
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
allow_prefix  # a Greenlight of another prefix: its tables, secrets, functions
parse_common "$@"
[[ ${#REST[@]} -eq 1 ]] || { usage >&2; exit 2; }
approval_id="${REST[0]}"
check_approval_id "$approval_id"

aws_cli dynamodb query --output json --table-name "$(table audit)" \
  --key-condition-expression "approval_id = :id" \
  --expression-attribute-values "{\":id\": {\"S\": \"$approval_id\"}}" \
  | (cd "$ROOT" && "$PY" -m greenlight.ops.audit_timeline)
