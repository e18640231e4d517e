#!/usr/bin/env bash
# Lists the orders function's published versions with what still holds each one (an alias, or
# durable executions not yet finished), and with --delete deletes only the versions nothing
# holds. Every deploy publishes a version and the stack retains the old ones, because an
# execution runs to its end on the version it started on; run this after approvals drain.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/retire-versions.sh [--delete] [--local] [--profile P] [--region R]
  Without --delete it only lists: version, and "retire" or "keep (why)".
  With --delete it deletes the versions marked "retire", after listing again.
USAGE
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

delete=0
args=()
for arg in "$@"; do
  if [[ "$arg" == --delete ]]; then delete=1; else args+=("$arg"); fi
done
parse_common "${args[@]}"
[[ ${#REST[@]} -eq 0 ]] || { usage >&2; exit 2; }
function_name=greenlight-orders

# Versions and aliases are Lambda's control plane; on the local stack moto serves it (at the
# data endpoint), while the durable runner serves the durable-execution APIs.
lambda_control() {
  local endpoint=()
  [[ "$LOCAL" == 0 ]] || endpoint=(--endpoint-url "$DATA_ENDPOINT")
  "$ROOT/.venv/bin/aws" "${AWS_OPTS[@]}" "${endpoint[@]}" lambda "$@"
}

work="$(mktemp -d)"  # AWS CLI listings only: no secrets, no callback ids
chmod 700 "$work"
trap 'rm -rf "$work"' EXIT

survey() {
  lambda_control list-versions-by-function --function-name "$function_name" --output json \
    > "$work/versions.json" || die "could not list the versions of $function_name"
  lambda_control list-aliases --function-name "$function_name" --output json \
    > "$work/aliases.json" || die "could not list the aliases of $function_name"
  # One call per status: the status filter is a list in the API, but one status is what every
  # implementation honours.
  for status in RUNNING PAUSING PAUSED; do
    aws_cli lambda list-durable-executions-by-function --function-name "$function_name" \
      --statuses "$status" --output json > "$work/executions-$status.json" \
      || die "could not list the durable executions of $function_name"
  done
}

plan() {
  (cd "$ROOT" && "$PY" -m greenlight.ops.versions "$work/versions.json" "$work/aliases.json" \
    "$work"/executions-*.json "$@")
}

survey
plan || die "could not tell which versions still hold executions; nothing deleted"
[[ "$delete" == 1 ]] || {
  retirable="$(plan --retirable)"
  [[ -z "$retirable" ]] || echo "would delete: $retirable (run again with --delete)"
  exit 0
}
survey  # again, right before deleting: an execution may have started or finished meanwhile
# (an assignment, so that a failed plan stops the script before anything is deleted)
line="$(plan --retirable)" || die "could not tell which versions still hold executions; nothing deleted"
read -ra retirable <<< "$line"
[[ ${#retirable[@]} -gt 0 ]] || { echo "nothing to delete"; exit 0; }
for version in "${retirable[@]}"; do
  lambda_control delete-function --function-name "$function_name" --qualifier "$version" \
    || die "could not delete version $version (nothing after it was deleted)"
  echo "deleted version $version"
done
