#!/usr/bin/env bash
# Deploys Greenlight: checks the account is CDK-bootstrapped, builds the bundles, runs
# `cdk deploy` with the Slack and approver configuration, and prints the webhook URL.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/deploy.sh --channel C… --app-id A… --team-id T… --approvers S…,U…
                         [--escalation U…] [--profile P] [--region R]
  Then: scripts/set-slack-secret.sh, and paste the printed URL into the Slack app manifest.
  Needs Node.js (the CDK CLI runs with npx).
USAGE
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

context=()
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --channel) context+=(-c "slack_channel=${2:?}"); shift 2 ;;
    --app-id) context+=(-c "slack_app_id=${2:?}"); shift 2 ;;
    --team-id) context+=(-c "slack_team_id=${2:?}"); shift 2 ;;
    --approvers) context+=(-c "approver_ids=${2:?}"); shift 2 ;;
    --escalation) context+=(-c "escalation_approver_ids=${2:?}"); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
for arg in "${args[@]}"; do
  [[ "$arg" != --local ]] || die "deploy targets AWS; the local stack is scripts/stack.sh" 2
done
parse_common "${args[@]}"
[[ ${#REST[@]} -eq 0 && ${#context[@]} -eq 8 ]] || { usage >&2; exit 2; }
command -v npx >/dev/null || die "Node.js is required for the CDK CLI (npx)" 2

aws_cli cloudformation describe-stacks --stack-name CDKToolkit >/dev/null 2>&1 \
  || die "this account/region is not CDK-bootstrapped: run 'npx aws-cdk@2 bootstrap' first"
"$ROOT/scripts/build.sh"
cd "$ROOT"
npx --yes aws-cdk@2 deploy Greenlight "${AWS_OPTS[@]}" "${context[@]}" --require-approval broadening \
  --outputs-file "$ROOT/build/outputs.json"
echo "Webhook URL (paste into the manifest's request_url):"
"$PY" -c 'import json,sys; o=json.load(open(sys.argv[1]))["Greenlight"]; print(next(v for k, v in o.items() if "WebhookUrl" in k))' \
  "$ROOT/build/outputs.json"
