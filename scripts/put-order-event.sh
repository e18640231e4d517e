#!/usr/bin/env bash
# Sends one OrderCreated event: to EventBridge (deployed), or with --local through the same
# starter code to the local stack. The execution is named after the order id: sending the same
# event twice starts one execution. A malformed event ends in the dead-letter queue.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/put-order-event.sh <order.json|-> [--local] [--bus NAME] [--profile P] [--region R]
  order.json holds the order (the event's detail); source greenlight.orders, type OrderCreated.
USAGE
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

bus="greenlight-orders"
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bus) bus="${2:-}"; shift 2 || die "--bus needs a name" 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
parse_common "${args[@]}"
[[ ${#REST[@]} -eq 1 ]] || { usage >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [[ "${REST[0]}" == - ]]; then cat > "$work/order.json"; else
  [[ -f "${REST[0]}" ]] || die "no such file: ${REST[0]}" 2
  cp "${REST[0]}" "$work/order.json"
fi
"$PY" -c 'import json, sys
try:
    detail = json.load(open(sys.argv[1]))
except ValueError:
    detail = open(sys.argv[1]).read()
json.dump({"source": "greenlight.orders", "detail-type": "OrderCreated", "detail": detail},
          open(sys.argv[2], "w"))' "$work/order.json" "$work/event.json"

if [[ "$LOCAL" == 1 ]]; then
  cd "$ROOT" && exec "$PY" -m localdev.put_event "$work/event.json"
fi
"$PY" -c 'import json, sys
e = json.load(open(sys.argv[1]))
json.dump({"Entries": [{"Source": e["source"], "DetailType": e["detail-type"],
           "Detail": json.dumps(e["detail"]), "EventBusName": sys.argv[3]}]}, open(sys.argv[2], "w"))' \
  "$work/event.json" "$work/entries.json" "$bus"
aws_cli events put-events --cli-input-json "file://$work/entries.json" --output json \
  > "$work/answer.json"
# PutEvents answers 200 (and the CLI exits 0) even for an entry it refused: FailedEntryCount
# counts them, each with ErrorCode and ErrorMessage (botocore's events model, PutEventsResponse).
"$PY" -c 'import json, sys
answer = json.load(open(sys.argv[1]))
if answer.get("FailedEntryCount", 0):
    for entry in answer.get("Entries", []):
        if "ErrorCode" in entry:
            why = entry["ErrorCode"] + ": " + entry.get("ErrorMessage", "")
            print("error: EventBridge did not take the event: " + why
                  + " (not sent; no order started)", file=sys.stderr)
    sys.exit(1)
print(json.dumps(answer, indent=4))' "$work/answer.json"
