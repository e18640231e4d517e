#!/usr/bin/env bash
# Settles the outside condition an order waits on (its fraud review): the workflow's next poll
# sees it and goes on (cleared) or undoes the order (failed).
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/set-condition.sh <order_id> cleared|failed [--local] [--table NAME]
                                [--profile P] [--region R]
  --local        the local stack's table (started with scripts/stack.sh or scripts/demo.sh)
  --table NAME   conditions table (default: $CONDITIONS_TABLE, or greenlight-conditions)
USAGE
}

order_id="" verdict="" local=0 table="${CONDITIONS_TABLE:-greenlight-conditions}"
aws_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --local) local=1; shift ;;
    --table) table="${2:?--table needs a name}"; shift 2 ;;
    --profile|--region) aws_args+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
    -*) echo "error: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) if [[ -z "$order_id" ]]; then order_id="$1"; elif [[ -z "$verdict" ]]; then verdict="$1";
       else echo "error: unexpected argument $1" >&2; exit 2; fi; shift ;;
  esac
done
if [[ ! "$order_id" =~ ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$ ]]; then
  echo "error: '$order_id' is not an order id" >&2; usage >&2; exit 2
fi
if [[ "$verdict" != "cleared" && "$verdict" != "failed" ]]; then
  echo "error: the verdict must be 'cleared' or 'failed', not '$verdict'" >&2; exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/bootstrap.sh"
python="$root/.venv/bin/python"
if [[ "$local" == 1 ]]; then
  ports="${GREENLIGHT_LOCAL_DIR:-$root/.local}/ports.json"
  port="$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["dynamodb"])' "$ports" 2>/dev/null || echo 5055)"
  aws_args+=(--endpoint-url "http://127.0.0.1:$port" --region us-east-1)
  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
fi

# Only an order that is waiting may be settled, and only once: the update is conditional.
if ! "$root/.venv/bin/aws" "${aws_args[@]}" dynamodb update-item \
    --table-name "$table" \
    --key "{\"order_id\": {\"S\": \"$order_id\"}}" \
    --update-expression "SET #s = :verdict" \
    --condition-expression "#s = :pending" \
    --expression-attribute-names '{"#s": "status"}' \
    --expression-attribute-values "{\":verdict\": {\"S\": \"$verdict\"}, \":pending\": {\"S\": \"pending\"}}" \
    >/dev/null; then
  echo "error: order $order_id is not waiting on a review (unknown, or already settled)" >&2
  exit 1
fi
echo "order $order_id: review $verdict"
