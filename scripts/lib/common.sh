# shellcheck shell=bash
# Shared by the operator scripts: options every script takes, the AWS CLI with them, errors.
#   --profile P, --region R   the AWS CLI's; the region may also come from the environment
#                             or the profile, and its absence is an error, not a guess
#   --local                   the local stack (endpoints and dummy credentials from .local/)
#   --prefix P                the Greenlight construct's prefix (default greenlight): its tables
#                             are P-approvals…, its secrets P/slack…, its functions P-webhook…;
#                             only for a script that calls allow_prefix before parse_common
#                             (the others name resources of the one iac/ stack)
# After parse_common "$@", the other arguments are in REST, the prefix in PREFIX and the AWS CLI
# is `aws_cli`.

die() { echo "error: $1" >&2; exit "${2:-1}"; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY="$ROOT/.venv/bin/python"
AWS_OPTS=()
REST=()
LOCAL=0
PREFIX=greenlight
PREFIX_ALLOWED=0

# For a script that works on a Greenlight construct's resources: it takes --prefix.
allow_prefix() { PREFIX_ALLOWED=1; }

parse_common() {
  local profile="" region=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --profile) profile="${2:-}"; [[ -n "$profile" ]] || die "--profile needs a name" 2; shift 2 ;;
      --region) region="${2:-}"; [[ -n "$region" ]] || die "--region needs a name" 2; shift 2 ;;
      --local) LOCAL=1; shift ;;
      --prefix)
        [[ "$PREFIX_ALLOWED" == 1 ]] \
          || die "--prefix is not for this script: it works on the iac/ stack's own resources" 2
        PREFIX="${2:-}"; shift $(( $# >= 2 ? 2 : 1 ))
        # greenlight.cdk.names: what a construct accepts, so every derived name is valid
        [[ "$PREFIX" =~ ^[a-z][a-z0-9-]{0,29}$ ]] \
          || die "--prefix needs the construct's prefix: 1-30 lowercase letters, digits or hyphens, starting with a letter" 2 ;;
      *) REST+=("$1"); shift ;;
    esac
  done
  "$ROOT/scripts/bootstrap.sh"
  if [[ "$LOCAL" == 1 ]]; then
    local ports="${GREENLIGHT_LOCAL_DIR:-$ROOT/.local}/ports.json"
    [[ -f "$ports" ]] || die "the local stack is not running (start it with scripts/stack.sh start)"
    local port
    port="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$ports" dynamodb)"
    # One Lambda endpoint, as on AWS: the local host serves Invoke and the durable APIs.
    LAMBDA_ENDPOINT="http://127.0.0.1:$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$ports" host)"
    DATA_ENDPOINT="http://127.0.0.1:$port"
    export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=us-east-1
    # For the AWS CLI and the Python helpers (boto3, the Slack SDK), which read these as the
    # Lambdas do.
    export AWS_ENDPOINT_URL_DYNAMODB="$DATA_ENDPOINT" AWS_ENDPOINT_URL_SECRETS_MANAGER="$DATA_ENDPOINT"
    export AWS_ENDPOINT_URL_LAMBDA="$LAMBDA_ENDPOINT"
    SLACK_API_URL="http://127.0.0.1:$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$ports" slack)/api/"
    export SLACK_API_URL
    AWS_OPTS=(--region us-east-1)
    return
  fi
  if [[ -n "$profile" ]]; then
    # botocore reads the profiles the CLI does (the config and credentials files, AWS_CONFIG_FILE,
    # AWS_SHARED_CREDENTIALS_FILE); the pinned CLI v1 has no `aws configure list-profiles`
    "$PY" -c 'import sys, botocore.session as s; sys.exit(sys.argv[1] not in s.Session().available_profiles)' "$profile" \
      || die "no AWS profile named '$profile' in the AWS config or credentials file" 2
    AWS_OPTS+=(--profile "$profile")
  fi
  region="${region:-${AWS_REGION:-${AWS_DEFAULT_REGION:-}}}"
  if [[ -z "$region" ]]; then
    region="$("$ROOT/.venv/bin/aws" "${AWS_OPTS[@]}" configure get region 2>/dev/null || true)"
  fi
  [[ -n "$region" ]] || die "no AWS region: pass --region, set AWS_REGION, or configure the profile" 2
  AWS_OPTS+=(--region "$region")
  export AWS_DEFAULT_REGION="$region"  # for the Python helpers (boto3)
  [[ -z "$profile" ]] || export AWS_PROFILE="$profile"
  LAMBDA_ENDPOINT="" DATA_ENDPOINT=""
}

# aws_cli SERVICE ARGS...: the AWS CLI with the common options, at the local endpoint if any.
aws_cli() {
  local service="$1"; shift
  local endpoint=()
  if [[ "$LOCAL" == 1 ]]; then
    case "$service" in
      lambda) ;;  # AWS_ENDPOINT_URL_LAMBDA, exported above
      *) endpoint=(--endpoint-url "$DATA_ENDPOINT") ;;
    esac
  fi
  "$ROOT/.venv/bin/aws" "${AWS_OPTS[@]}" "${endpoint[@]}" "$service" "$@"
}

# Table names as the construct derives them from its prefix (greenlight.cdk.names), and as the
# local stack names them.
table() { echo "$PREFIX-$1"; }

check_approval_id() {
  [[ "$1" =~ ^([a-z0-9-]{1,40}\.)?[A-Za-z0-9_-]{22}$ ]] \
    || die "'$1' is not an approval id (22 letters, digits, - or _, which a requester's label and a dot may lead: orders.AbC...)" 2
}
