#!/usr/bin/env bash
# Stores (or rotates) the Slack bot token and signing secret in Secrets Manager. Values come
# from SLACK_BOT_TOKEN / SLACK_SIGNING_SECRET or a silent prompt, never from arguments.
# The Lambdas pick the new value up within five minutes (Powertools Parameters cache).
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

# The secret travels through a pipe into the AWS CLI's stdin: never on a command line (ps),
# never in a file. (With AWS CLI 1.46, `--cli-input-json file:///dev/stdin` received an empty
# document; `--secret-string file:///dev/stdin` receives the pipe as written.)
SLACK_BOT_TOKEN="$token" SLACK_SIGNING_SECRET="$signing" "$PY" -c 'import json, os, sys
json.dump({"bot_token": os.environ["SLACK_BOT_TOKEN"],
           "signing_secret": os.environ["SLACK_SIGNING_SECRET"]}, sys.stdout)' \
  | aws_cli secretsmanager put-secret-value --secret-id greenlight/slack \
      --secret-string file:///dev/stdin >/dev/null \
  || die "could not store the secret (is the stack deployed? scripts/deploy.sh)"
echo "stored the Slack credentials in greenlight/slack"
