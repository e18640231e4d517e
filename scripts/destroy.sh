#!/usr/bin/env bash
# Removes the Greenlight stack after you type its name. Tables (approvals, the audit trail,
# delegations, the order tables) are kept unless --delete-data, which asks a second time and
# then lifts their deletion protection and deletes them.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/destroy.sh [--delete-data] [--profile P] [--region R]
USAGE
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

delete_data=0
args=()
for arg in "$@"; do
  if [[ "$arg" == --delete-data ]]; then delete_data=1; else args+=("$arg"); fi
done
for arg in "${args[@]}"; do
  [[ "$arg" != --local ]] || die "destroy targets AWS; stop the local stack with scripts/stack.sh stop" 2
done
parse_common "${args[@]}"
[[ ${#REST[@]} -eq 0 ]] || { usage >&2; exit 2; }
[[ -t 0 ]] || die "destroy asks for confirmation and needs a terminal" 2

read -rp "Type 'Greenlight' to delete the stack: " answer
[[ "$answer" == Greenlight ]] || die "not confirmed; nothing deleted"
aws_cli cloudformation delete-stack --stack-name Greenlight
aws_cli cloudformation wait stack-delete-complete --stack-name Greenlight
echo "stack deleted; tables kept: greenlight-approvals, -audit, -delegations, -reservations,"
echo " -conditions (the orders function went with every version; a --durable-state-key key is"
echo " kept: schedule its deletion in KMS once no execution history it encrypted is needed)"
if [[ "$delete_data" == 1 ]]; then
  read -rp "Type 'delete audit data' to delete the tables too: " answer
  [[ "$answer" == "delete audit data" ]] || die "not confirmed; tables kept"
  for role in approvals audit delegations reservations conditions; do
    name="$(table "$role")"
    if ! found="$(aws_cli dynamodb describe-table --table-name "$name" 2>&1 >/dev/null)"; then
      [[ "$found" == *ResourceNotFoundException* ]] || die "cannot read $name: $found"
      echo "$name: not there (already deleted)"
      continue
    fi
    # Kept tables are deletion-protected (retain_data): the protection comes off only here,
    # after both confirmations, and the table is ACTIVE again before it is deleted.
    aws_cli dynamodb update-table --table-name "$name" --no-deletion-protection-enabled >/dev/null
    aws_cli dynamodb wait table-exists --table-name "$name"
    aws_cli dynamodb delete-table --table-name "$name" >/dev/null
    echo "deleted $name"
  done
fi
