#!/usr/bin/env bash
# Deploys Greenlight: checks the account is CDK-bootstrapped, builds the bundles, runs the
# pinned CDK CLI (iac/package-lock.json, installed with `npm ci`) with the Slack, approver and
# alert configuration, and prints the webhook URL.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/deploy.sh --channel C… --app-id A… --team-id T… --approvers S…,U…
                         (--alert-email ADDRESS | --alert-protocol P --alert-endpoint E)…
                         [--escalation U…] [--webhook-concurrency N] [--durable-state-key]
                         [--enterprise-id E…] [--labelled-approvals-only]
                         [--payment-url URL] [--auto-approve-below CENTS] [--dual-above CENTS]
                         [--currency EUR]
                         [--ladder-single R,E,X] [--ladder-dual R,E,X]
                         [--profile P] [--region R]
  --alert-email            subscribes an address to the alert topic (confirm the email SNS sends)
  --alert-protocol/-endpoint  any SNS protocol: https URL, sms number, sqs or lambda ARN…
  --webhook-concurrency N  the webhook's reserved concurrency (default 10; none: reserve none,
                           for an account whose concurrency quota is still below 110)
  --durable-state-key      encrypt the orders function's durable state with a key of its own
  --enterprise-id E…       an app installed org-wide on Enterprise Grid: accept every workspace
                           of this org (the team id stays the workspace the app was set up in)
  --payment-url URL        the order example's payment provider (default: an .invalid host)
  --auto-approve-below C   orders below C cents are approved without asking (default 10000)
  --dual-above C           orders above C cents need two approvers (default 1000000)
  --currency CODE          the ISO 4217 currency the thresholds are in, in its minor unit
                           (default EUR); orders in any other currency are refused, never
                           approved automatically
  --ladder-single R,E,X    remind, escalate, expire seconds for one-approver orders ('-' skips
  --ladder-dual R,E,X      a rung); without one, a tier expires after a day, no reminder
  --labelled-approvals-only  the requester reaches its own labelled approvals alone: deploy with
                           it once no execution begun before 0.4 is left (README, Upgrading to 0.4)
  Then: scripts/set-slack-secret.sh, and paste the printed URL into the Slack app manifest.
  Needs Node.js and npm (the CDK CLI pinned in iac/package-lock.json).
USAGE
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

context=()
required=0
alerts=0
args=()
# need OPTION VALUE WHAT: a clear error when OPTION came without its value (at the end, or
# followed by another option).
need() { [[ -n "$2" && "$2" != --* ]] || die "$1 needs $3" 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --channel) need "$1" "${2:-}" "a Slack channel id (C…)"
      context+=(-c "slack_channel=$2"); required=$((required + 1)); shift 2 ;;
    --app-id) need "$1" "${2:-}" "the Slack app id (A…)"
      context+=(-c "slack_app_id=$2"); required=$((required + 1)); shift 2 ;;
    --team-id) need "$1" "${2:-}" "the Slack workspace id (T…)"
      context+=(-c "slack_team_id=$2"); required=$((required + 1)); shift 2 ;;
    --approvers) need "$1" "${2:-}" "approver ids, comma-separated (U… people, S… user groups)"
      context+=(-c "approver_ids=$2"); required=$((required + 1)); shift 2 ;;
    --escalation) need "$1" "${2:-}" "escalation approver ids, comma-separated (U…, S…)"
      context+=(-c "escalation_approver_ids=$2"); shift 2 ;;
    --enterprise-id)
      [[ "${2:-}" =~ ^E[A-Z0-9]{2,20}$ ]] || die "--enterprise-id must be an org id like E0123ABCD" 2
      context+=(-c "slack_enterprise_id=$2"); shift 2 ;;
    --alert-email) need "$1" "${2:-}" "an email address"
      context+=(-c "alert_email=$2"); alerts=1; shift 2 ;;
    --alert-protocol) need "$1" "${2:-}" "an SNS protocol (https, sms, sqs, lambda…)"
      context+=(-c "alert_protocol=$2"); alerts=1; shift 2 ;;
    --alert-endpoint) need "$1" "${2:-}" "the endpoint for --alert-protocol (URL, number or ARN)"
      context+=(-c "alert_endpoint=$2"); alerts=1; shift 2 ;;
    --webhook-concurrency)
      [[ "${2:-}" =~ ^([1-9][0-9]*|none)$ ]] \
        || die "--webhook-concurrency must be a whole number above 0, or none" 2
      context+=(-c "webhook_concurrency=$2"); shift 2 ;;
    --durable-state-key) context+=(-c "durable_state_key=true"); shift ;;
    --labelled-approvals-only) context+=(-c "unlabelled_approval_ids=false"); shift ;;
    --payment-url)
      [[ "${2:-}" =~ ^https://[^[:space:]]+$ ]] || die "--payment-url must be an https:// URL" 2
      context+=(-c "payment_url=$2"); shift 2 ;;
    --auto-approve-below|--dual-above)
      [[ "${2:-}" =~ ^[0-9]+$ ]] || die "$1 must be a whole number of cents" 2
      key=auto_approve_below_cents; [[ "$1" == --dual-above ]] && key=dual_approval_above_cents
      context+=(-c "$key=$2"); shift 2 ;;
    --currency)
      [[ "${2:-}" =~ ^[A-Z]{3}$ ]] || die "--currency must be a three-letter ISO code like EUR" 2
      context+=(-c "tiers_currency=$2"); shift 2 ;;
    --ladder-single|--ladder-dual)
      [[ -n "${2:-}" ]] || die "$1 needs remind,escalate,expire seconds" 2
      context+=(-c "ladder_${1#--ladder-}=$2"); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
for arg in "${args[@]}"; do
  [[ "$arg" != --local ]] || die "deploy targets AWS; the local stack is scripts/stack.sh" 2
done
[[ "$required" -eq 4 ]] || { usage >&2; exit 2; }
[[ "$alerts" -eq 1 ]] \
  || die "alarms would reach no one: pass --alert-email, or --alert-protocol with --alert-endpoint" 2
parse_common "${args[@]}"
[[ ${#REST[@]} -eq 0 ]] || { usage >&2; exit 2; }
command -v npm >/dev/null || die "Node.js and npm are required for the CDK CLI (iac/package.json)" 2

# The CDK CLI takes its region from the environment (it has no --region option); parse_common
# exported AWS_DEFAULT_REGION and, with --profile, AWS_PROFILE.
export AWS_REGION="$AWS_DEFAULT_REGION" CDK_DEFAULT_REGION="$AWS_DEFAULT_REGION"
# Bootstrapped means a CDKToolkit stack; CloudFormation's answer for none is a ValidationError,
# "Stack with id CDKToolkit does not exist". Any other failure (no, expired or denied
# credentials, no network) is the CLI's own message: bootstrapping would fail the same way.
if ! out="$(aws_cli cloudformation describe-stacks --stack-name CDKToolkit \
  --query 'Stacks[0].StackStatus' --output text 2>&1)"; then
  [[ "$out" != *ValidationError*"does not exist"* ]] \
    || die "this account/region is not CDK-bootstrapped: run 'npm ci --prefix iac', then '(cd iac && node_modules/.bin/cdk bootstrap aws://ACCOUNT/$AWS_REGION)' first"
  die "could not check that this account/region is CDK-bootstrapped: $out"
fi

# Tables of an earlier install in the way of a new stack. The tables are named, kept (Retain)
# and deletion-protected, and CloudFormation cannot delete a protected table ("the table cannot
# be deleted by any user or process"), not even when rolling back the create that made it; so
# a first deploy that failed after making them leaves them, and every retry would fail on
# "already exists". Only when there is no stack (or only one whose create rolled back, which
# CDK deletes and creates again): a deployed stack's tables are its own.
stack_status() {
  local out
  if out="$(aws_cli cloudformation describe-stacks --stack-name Greenlight \
    --query 'Stacks[0].StackStatus' --output text 2>&1)"; then
    echo "$out"
  elif [[ "$out" == *"does not exist"* ]]; then
    echo NONE
  else
    die "could not read the Greenlight stack: $out"
  fi
}
status="$(stack_status)"
if [[ "$status" == NONE || "$status" == ROLLBACK_COMPLETE ]]; then
  leftovers=()
  for role in approvals audit delegations reservations conditions; do
    name="$(table "$role")"
    if ! found="$(aws_cli dynamodb describe-table --table-name "$name" 2>&1 >/dev/null)"; then
      [[ "$found" == *ResourceNotFoundException* ]] || die "cannot read $name: $found"
      continue
    fi
    count="$(aws_cli dynamodb scan --table-name "$name" --select COUNT --max-items 1 \
      --query Count --output text)" || die "cannot read $name"
    if [[ "$count" == 0 ]]; then leftovers+=("$name (empty)"); else leftovers+=("$name (holds items)"); fi
  done
  if [[ ${#leftovers[@]} -gt 0 ]]; then
    again=(--region "$AWS_DEFAULT_REGION")
    [[ -z "${AWS_PROFILE:-}" ]] || again=(--profile "$AWS_PROFILE" "${again[@]}")
    {
      echo "error: tables of an earlier deploy are in the way (kept and deletion-protected, as"
      echo "  the stack makes them; with no stack to own them, this deploy would fail on"
      echo "  'already exists'):"
      printf '    %s\n' "${leftovers[@]}"
      echo "  Left by a first deploy that failed: run 'scripts/destroy.sh --delete-data ${again[*]}'"
      echo "  (it deletes them), then deploy again. Items in them are lost with them: back up any"
      echo "  you need first (an earlier install's approvals and audit trail)."
    } >&2
    exit 1
  fi
fi
(cd "$ROOT/iac" && npm ci --no-audit --no-fund --loglevel=error) \
  || die "could not install the pinned CDK CLI (npm ci in iac/)"
"$ROOT/scripts/build.sh"
cd "$ROOT"
"$ROOT/iac/node_modules/.bin/cdk" deploy Greenlight --app "$PY -m iac.app" "${context[@]}" \
  --require-approval broadening \
  --outputs-file "$ROOT/build/outputs.json"
echo "Webhook URL (paste into the manifest's request_url):"
"$PY" -c 'import json,sys; o=json.load(open(sys.argv[1]))["Greenlight"]; print(next(v for k, v in o.items() if "WebhookUrl" in k))' \
  "$ROOT/build/outputs.json"
echo "If you subscribed an email address, confirm the subscription in the email SNS sent."
