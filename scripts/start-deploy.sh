#!/usr/bin/env bash
# Starts the deploy gate (examples/deploy_gate) for one deploy, by name: the same deploy twice
# starts one execution. The request comes from a JSON file, stdin, or flags.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/start-deploy.sh <deploy.json|-> [options]
       scripts/start-deploy.sh --service S --version V --by USER_ID [options]
  --environment E   production (default: asks people) or staging (checks only)
  --summary TEXT    what changes (Slack mrkdwn)       --diff-url URL   a link for approvers
  --ci LIST         name=status,... (default: unit and integration tests passed)
  --name NAME       the execution name (default: deploy-<service>-<version>-<environment>)
  --function F      the function (default: the local stack's greenlight-deploy-gate)
  --local | --profile P --region R
  Invokes the function's 'live' alias and prints the execution ARN.
USAGE
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

name=""
function_name=""
request_args=()
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --name) name="${2:-}"; shift 2 || die "--name needs a value" 2 ;;
    --function) function_name="${2:-}"; shift 2 || die "--function needs a value" 2 ;;
    --service|--version|--by|--environment|--summary|--diff-url|--ci)
      [[ $# -ge 2 ]] || die "$1 needs a value" 2
      request_args+=("$1" "$2"); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
parse_common "${args[@]}"
[[ ${#REST[@]} -le 1 ]] || { usage >&2; exit 2; }
if [[ ${#REST[@]} -eq 1 ]]; then
  [[ ${#request_args[@]} -eq 0 ]] || die "give the request as a file or as flags, not both" 2
  [[ "${REST[0]}" == - || -f "${REST[0]}" ]] || die "no such file: ${REST[0]}" 2
  file="${REST[0]}"
  [[ "$file" == - ]] || file="$(cd "$(dirname "$file")" && pwd)/$(basename "$file")"
  request_args=("$file")
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$ROOT" && "$PY" -m examples.deploy_gate.request "${request_args[@]}") > "$work/built" \
  || exit 2
head -n 1 "$work/built" > "$work/deploy.json"
name="${name:-$(sed -n 2p "$work/built")}"
[[ "$name" =~ ^[A-Za-z0-9_-]{1,64}$ ]] \
  || die "the execution name '${name}' must be 1-64 letters, digits, - or _" 2
if [[ -z "$function_name" ]]; then
  function_name="$(cd "$ROOT" && "$PY" -c 'from localdev.functions import DEPLOY_GATE_FUNCTION_NAME as n; print(n)')"
fi

aws_cli lambda invoke --function-name "$function_name:live" --invocation-type Event \
  --durable-execution-name "$name" --payload "file://$work/deploy.json" \
  --query DurableExecutionArn --output text "$work/response.json"
