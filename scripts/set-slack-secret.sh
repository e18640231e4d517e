#!/usr/bin/env bash
# Stores (or rotates) the Slack bot token and signing secret in Secrets Manager, each in its own
# secret: the bot token in <prefix>/slack (requesters, the relay and the webhook read it), the
# signing secret in <prefix>/slack-signing (the webhook alone reads it); <prefix> is the
# construct's (`--prefix`, default greenlight, as iac/ deploys). Values come from
# SLACK_BOT_TOKEN / SLACK_SIGNING_SECRET or a silent prompt, never from arguments.
# A warm webhook reads both again when a request fails the signature it holds; requesters and
# the relay read the bot token when a container starts.
# Upgrading a 0.2 stack (both in <prefix>/slack): deploy first (it creates the signing secret),
# then run this; it stores the signing secret first and only then rewrites <prefix>/slack
# without it, so a failure leaves the webhook verifying with one or the other, never neither.
# <prefix>/slack keeps a `signing_secret` key holding only a note of where it moved: 0.2's
# loader refuses a secret without that key, and retained 0.2 versions of a durable function
# (executions in flight) still start with it; 0.3 never verifies with the note.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: [SLACK_BOT_TOKEN=… SLACK_SIGNING_SECRET=…] scripts/set-slack-secret.sh [--local]
                                        [--prefix P] [--profile P] [--region R]
USAGE
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
allow_prefix  # a Greenlight of another prefix: its tables, secrets, functions
parse_common "$@"
[[ ${#REST[@]} -eq 0 ]] \
  || die "secrets are read from the environment or a prompt, never from arguments" 2

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

BOT_SECRET="$PREFIX/slack" SIGNING_SECRET="$PREFIX/slack-signing"
# What 0.3 reads as "no signing secret here" (greenlight.aws.secrets.MOVED): see the header
moved="moved to $SIGNING_SECRET"

# put_json SECRET_ID KEY VARIABLE [KEY2 VALUE2]: stores {"KEY": $VARIABLE[, "KEY2": "VALUE2"]}
# as the secret's new value (VALUE2 is no secret). The value is in Python's environment alone,
# then travels through a pipe into the AWS CLI's stdin: never on a command line (ps), never in a
# file. (With AWS CLI 1.46, `--cli-input-json file:///dev/stdin` received an empty document;
# `--secret-string file:///dev/stdin` receives the pipe as written.)
put_json() {
  GREENLIGHT_SECRET_VALUE="${!3}" "$PY" -c 'import json, os, sys
value = {sys.argv[1]: os.environ["GREENLIGHT_SECRET_VALUE"]}
value.update(zip(sys.argv[2::2], sys.argv[3::2]))
json.dump(value, sys.stdout)' "$2" "${@:4}" \
    | aws_cli secretsmanager put-secret-value --secret-id "$1" \
        --secret-string file:///dev/stdin >/dev/null
}

unchanged="$BOT_SECRET is unchanged"
put_json "$SIGNING_SECRET" signing_secret signing \
  || die "could not store $SIGNING_SECRET (is this version deployed? scripts/deploy.sh); $unchanged"
put_json "$BOT_SECRET" bot_token token signing_secret "$moved" \
  || die "stored $SIGNING_SECRET, but not the bot token in $BOT_SECRET: run this again"
echo "stored the bot token in $BOT_SECRET and the signing secret in $SIGNING_SECRET"
