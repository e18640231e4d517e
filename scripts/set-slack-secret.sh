#!/usr/bin/env bash
# Stores (or rotates) the Slack bot token and signing secret in Secrets Manager, each in its own
# secret: the bot token in greenlight/slack (requesters, the relay and the webhook read it), the
# signing secret in greenlight/slack-signing (the webhook alone reads it). Values come from
# SLACK_BOT_TOKEN / SLACK_SIGNING_SECRET or a silent prompt, never from arguments.
# A warm webhook reads both again when a request fails the signature it holds; requesters and
# the relay read the bot token when a container starts.
# Upgrading a 0.2 stack (both in greenlight/slack): deploy first (it creates the signing secret),
# then run this; it stores the signing secret first and only then rewrites greenlight/slack
# without it, so a failure leaves the webhook verifying with one or the other, never neither.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: [SLACK_BOT_TOKEN=… SLACK_SIGNING_SECRET=…] scripts/set-slack-secret.sh [--local]
                                                    [--profile P] [--region R]
USAGE
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
parse_common "$@"
[[ ${#REST[@]} -eq 0 ]] || die "secrets are read from the environment or a prompt, never from arguments" 2

token="${SLACK_BOT_TOKEN:-}" signing="${SLACK_SIGNING_SECRET:-}"
if [[ -z "$token" ]]; then
  [[ -t 0 ]] || die "set SLACK_BOT_TOKEN (no terminal to prompt on)" 2
  read -rsp "Slack bot token (xoxb-…): " token; echo >&2
fi
if [[ -z "$signing" ]]; then
  [[ -t 0 ]] || die "set SLACK_SIGNING_SECRET (no terminal to prompt on)" 2
  read -rsp "Slack signing secret: " signing; echo >&2
fi
[[ "$token" =~ ^xoxb-[A-Za-z0-9-]+$ ]] || die "the bot token must start with xoxb-" 2
[[ "$signing" =~ ^[0-9a-f]{32}$ ]] || die "the signing secret must be 32 hex characters" 2

BOT_SECRET=greenlight/slack SIGNING_SECRET=greenlight/slack-signing

# put_json SECRET_ID KEY VARIABLE: stores {"KEY": $VARIABLE} as the secret's new value. The value
# is in Python's environment alone, then travels through a pipe into the AWS CLI's stdin: never
# on a command line (ps), never in a file. (With AWS CLI 1.46, `--cli-input-json
# file:///dev/stdin` received an empty document; `--secret-string file:///dev/stdin` receives
# the pipe as written.)
put_json() {
  GREENLIGHT_SECRET_VALUE="${!3}" "$PY" -c 'import json, os, sys
json.dump({sys.argv[1]: os.environ["GREENLIGHT_SECRET_VALUE"]}, sys.stdout)' "$2" \
    | aws_cli secretsmanager put-secret-value --secret-id "$1" \
        --secret-string file:///dev/stdin >/dev/null
}

unchanged="$BOT_SECRET is unchanged"
put_json "$SIGNING_SECRET" signing_secret signing \
  || die "could not store $SIGNING_SECRET (is this version deployed? scripts/deploy.sh); $unchanged"
put_json "$BOT_SECRET" bot_token token \
  || die "stored $SIGNING_SECRET, but not the bot token in $BOT_SECRET: run this again"
echo "stored the bot token in $BOT_SECRET and the signing secret in $SIGNING_SECRET"
