#!/usr/bin/env bash
# Starts the order workflow for one order, by name (order-<order_id>, as the OrderCreated event's
# starter names it): the same order twice, or by both ways, starts one execution.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/start-approval.sh <order.json|-> [--name NAME] [--local] [--profile P] [--region R]
  The execution name defaults to order-<order_id>, the name the OrderCreated event's starter
  gives it. Invokes the function's 'live' alias.
USAGE
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

name=""
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --name) name="${2:-}"; shift 2 || die "--name needs a value" 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
parse_common "${args[@]}"
[[ ${#REST[@]} -eq 1 ]] || { usage >&2; exit 2; }
source_file="${REST[0]}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [[ "$source_file" == - ]]; then cat > "$work/order.json"; else
  [[ -f "$source_file" ]] || die "no such file: $source_file" 2
  cp "$source_file" "$work/order.json"
fi
order_id="$("$PY" -c 'import json,sys
try:
    o = json.load(open(sys.argv[1]))
except ValueError:
    sys.exit("error: the order is not JSON")
print(o.get("order_id", "") if isinstance(o, dict) else "")' "$work/order.json")"
[[ -n "$name" || -n "$order_id" ]] || die "the order has no order_id (or pass --name)" 2
name="${name:-order-$order_id}"
[[ "$name" =~ ^[A-Za-z0-9_-]{1,64}$ ]] \
  || die "the execution name '${name}' must be 1-64 letters, digits, - or _ (set --name or order_id)" 2

aws_cli lambda invoke --function-name "greenlight-orders:live" --invocation-type Event \
  --durable-execution-name "$name" --payload "file://$work/order.json" \
  --query DurableExecutionArn --output text "$work/response.json"
