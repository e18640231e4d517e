#!/usr/bin/env bash
# Shows recent log events of one function (JSON lines from Powertools), newest last.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/logs.sh orders|webhook|decision-relay [--minutes N] [--filter PATTERN] [--prefix P] [--profile P] [--region R]
USAGE
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
allow_prefix  # a Greenlight of another prefix: its tables, secrets, functions

minutes=15 filter=""
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) minutes="${2:-}"; shift 2 || die "--minutes needs a number" 2 ;;
    --filter) filter="${2:-}"; shift 2 || die "--filter needs a pattern" 2 ;;
    --local)
      # The local stack's processes write files, not CloudWatch Logs (README, "A first deploy")
      die "logs.sh reads the deployed functions' CloudWatch Logs; the local stack's logs are files in .local/logs/ (${GREENLIGHT_LOCAL_DIR:-$ROOT/.local}/logs/<part>.log): tail -f them" 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
parse_common "${args[@]}"
[[ ${#REST[@]} -eq 1 ]] || { usage >&2; exit 2; }
case "${REST[0]}" in
  orders) group="/aws/lambda/greenlight-orders" ;;  # iac/'s function, whatever the prefix
  webhook|decision-relay) group="/aws/lambda/$PREFIX-${REST[0]}" ;;
  *) die "choose 'orders', 'webhook' or 'decision-relay', not '${REST[0]}'" 2 ;;
esac
[[ "$minutes" =~ ^[0-9]+$ ]] || die "--minutes must be a whole number" 2
start=$(( ($(date +%s) - minutes * 60) * 1000 ))
filter_args=()
[[ -n "$filter" ]] && filter_args=(--filter-pattern "$filter")
aws_cli logs filter-log-events --log-group-name "$group" --start-time "$start" \
  "${filter_args[@]}" --query 'events[].message' --output text | tr '\t' '\n'
