#!/usr/bin/env bash
# Settles the outside condition an order waits on (its fraud review): the workflow's next poll
# sees it and goes on (cleared) or undoes the order (failed). Refused, with what happened to
# the order, when the review is not waiting: unknown, already settled, or given up (expired).
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/set-condition.sh <order_id> cleared|failed [--local] [--profile P] [--region R]
  Exit codes: 0 recorded; 1 refused (the review is not waiting) or the AWS call failed;
  2 bad arguments.
USAGE
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
parse_common "$@"
[[ ${#REST[@]} -eq 2 ]] || { usage >&2; exit 2; }
order_id="${REST[0]}" verdict="${REST[1]}"
[[ "$order_id" =~ ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$ ]] || die "'$order_id' is not an order id" 2
[[ "$verdict" == cleared || "$verdict" == failed ]] \
  || die "the verdict must be 'cleared' or 'failed', not '$verdict'" 2

# A private temporary directory (not a guessable name in /tmp), removed however we exit.
work="$(mktemp -d)"
chmod 700 "$work"
trap 'rm -rf "$work"' EXIT
key="{\"order_id\": {\"S\": \"$order_id\"}}"

# Only a review that is waiting may be settled, and only once: the update is conditional, the
# same condition the workflow's own close (`pending` -> `expired`) uses, so exactly one wins.
if aws_cli dynamodb update-item --table-name "$(table conditions)" --key "$key" \
    --update-expression "SET #s = :verdict" \
    --condition-expression "#s = :pending" \
    --expression-attribute-names '{"#s": "status"}' \
    --expression-attribute-values "{\":verdict\": {\"S\": \"$verdict\"}, \":pending\": {\"S\": \"pending\"}}" \
    >/dev/null 2>"$work/error"; then
  echo "order $order_id: review $verdict"
  exit 0
fi
if ! grep -q ConditionalCheckFailedException "$work/error"; then
  cat "$work/error" >&2
  die "could not record the review for order $order_id (the AWS CLI's error is above); nothing changed"
fi
aws_cli dynamodb get-item --consistent-read --output json --table-name "$(table conditions)" \
  --key "$key" > "$work/item.json"
die "$(cd "$ROOT" && "$PY" -m examples.orders.condition_cli "$order_id" "$verdict" < "$work/item.json")"
