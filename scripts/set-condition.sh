#!/usr/bin/env bash
# Settles the outside condition an order waits on (its fraud review): the workflow's next poll
# sees it and goes on (cleared) or undoes the order (failed).
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/set-condition.sh <order_id> cleared|failed [--local] [--profile P] [--region R]
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

# Only an order that is waiting may be settled, and only once: the update is conditional.
if ! aws_cli dynamodb update-item --table-name "$(table conditions)" \
    --key "{\"order_id\": {\"S\": \"$order_id\"}}" \
    --update-expression "SET #s = :verdict" \
    --condition-expression "#s = :pending" \
    --expression-attribute-names '{"#s": "status"}' \
    --expression-attribute-values "{\":verdict\": {\"S\": \"$verdict\"}, \":pending\": {\"S\": \"pending\"}}" \
    >/dev/null 2>"${TMPDIR:-/tmp}/set-condition.$$"; then
  rm -f "${TMPDIR:-/tmp}/set-condition.$$"
  die "order $order_id is not waiting on a review (unknown, or already settled); nothing changed"
fi
rm -f "${TMPDIR:-/tmp}/set-condition.$$"
echo "order $order_id: review $verdict"
