#!/usr/bin/env bash
# An operator's emergency decision, outside Slack: records it (conditional on the approval
# still pending, with an `operator_decided` audit line) and resumes the workflow.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/decide.sh approve|reject <approval_id> --reason TEXT [--local]
                         [--prefix P] [--profile P] [--region R]
  The reason is required and goes into the audit trail with your AWS identity.
USAGE
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
allow_prefix  # a Greenlight of another prefix: its tables, secrets, functions

reason=""
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --reason) reason="${2:-}"; shift 2 || die "--reason needs a text" 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
parse_common "${args[@]}"
[[ ${#REST[@]} -eq 2 ]] || { usage >&2; exit 2; }
verdict="${REST[0]}" approval_id="${REST[1]}"
[[ "$verdict" == approve || "$verdict" == reject ]] \
  || die "the decision must be 'approve' or 'reject', not '$verdict'" 2
check_approval_id "$approval_id"
[[ -n "${reason// /}" ]] || die "--reason is required: say why you decide by hand" 2

# The whole caller ARN: for an assumed role its last segment is a session name the caller
# picks, so only the full ARN (account, role and session) says who decided.
caller="$(aws_cli sts get-caller-identity --query Arn --output text)" \
  || die "could not read your AWS identity (sts get-caller-identity); nothing changed"
[[ "$caller" == arn:* ]] || die "sts get-caller-identity gave no ARN ('$caller'); nothing changed"
operator="operator:$caller"
work="$(mktemp -d)"
chmod 700 "$work"
trap 'rm -rf "$work"' EXIT

aws_cli dynamodb get-item --consistent-read --output json --table-name "$(table approvals)" \
  --key "{\"approval_id\": {\"S\": \"$approval_id\"}}" > "$work/item.json"
status=0
(cd "$ROOT" && "$PY" -m greenlight.ops.decision "$verdict" --reason "$reason" --operator "$operator" \
  --approvals-table "$(table approvals)" --audit-table "$(table audit)") \
  < "$work/item.json" > "$work/plan.json" || status=$?
case "$status" in
  0) ;;
  3) die "no approval $approval_id; nothing changed" 1 ;;
  *) exit "$status" ;;
esac

"$PY" -c 'import json,sys; p=json.load(open(sys.argv[1])); json.dump({"TransactItems": p["TransactItems"]}, open(sys.argv[2], "w"))' \
  "$work/plan.json" "$work/transaction.json"
if ! aws_cli dynamodb transact-write-items --cli-input-json "file://$work/transaction.json" >/dev/null; then
  die "the approval changed while you decided (someone voted, or it expired); nothing changed, look again"
fi
kind="$("$PY" -c 'import json,sys; p=json.load(open(sys.argv[1])); json.dump(p["Callback"], open(sys.argv[2], "w")); print(p["Kind"])' \
  "$work/plan.json" "$work/callback.json")"
# The callback id is a bearer capability: it travels in a private file, never on a command line.
if ! aws_cli lambda "send-durable-execution-callback-$kind" --cli-input-json "file://$work/callback.json" >/dev/null; then
  # Lambda answers the same for a callback already answered and one that timed out: the
  # decision relay (reading the table's stream) may have resumed the workflow first
  echo "note: recorded; the callback was closed already (the decision relay resumed the workflow, or it had stopped waiting): scripts/audit.sh shows which" >&2
fi
if ! (cd "$ROOT" && "$PY" -m greenlight.ops.redraw "$approval_id" \
    --approvals-table "$(table approvals)" --audit-table "$(table audit)" \
    --secret "$PREFIX/slack"); then
  echo "warning: decided, but the Slack message could not be redrawn" >&2
fi
"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["Summary"])' "$work/plan.json"
