#!/usr/bin/env bash
# Prints an approval's audit trail as a timeline: requested, votes, reminders, escalation,
# decision or expiry, with who, why, and where in Slack.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/audit.sh <approval_id> [--local] [--table NAME] [--profile P] [--region R]
  --local        read the local stack's table (started with scripts/stack.sh)
  --table NAME   audit table name (default: $AUDIT_TABLE, or greenlight-audit)
  --profile, --region   passed to the AWS CLI
USAGE
}

approval_id="" local=0 table="${AUDIT_TABLE:-greenlight-audit}"
aws_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --local) local=1; shift ;;
    --table) table="${2:?--table needs a name}"; shift 2 ;;
    --profile|--region) aws_args+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
    -*) echo "error: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) [[ -z "$approval_id" ]] || { echo "error: one approval id only" >&2; exit 2; }
       approval_id="$1"; shift ;;
  esac
done
if [[ ! "$approval_id" =~ ^[A-Za-z0-9_-]{22}$ ]]; then
  echo "error: '$approval_id' is not an approval id (22 characters: letters, digits, - and _)" >&2
  exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/bootstrap.sh"
python="$root/.venv/bin/python"
aws="$root/.venv/bin/aws"
if [[ "$local" == 1 ]]; then
  ports="${GREENLIGHT_LOCAL_DIR:-$root/.local}/ports.json"
  port="$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["dynamodb"])' "$ports" 2>/dev/null || echo 5055)"
  aws_args+=(--endpoint-url "http://127.0.0.1:$port" --region us-east-1)
  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
fi

"$aws" "${aws_args[@]}" dynamodb query --output json \
  --table-name "$table" \
  --key-condition-expression "approval_id = :id" \
  --expression-attribute-values "{\":id\": {\"S\": \"$approval_id\"}}" \
  | (cd "$root" && "$python" -m localdev.audit_timeline)
