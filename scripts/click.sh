#!/usr/bin/env bash
# Clicks Approve or Reject as a local user, sending exactly the signed request Slack would.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/click.sh approve|reject <approval_id> --as <user> [--reason TEXT] [--comment TEXT]
  users: alice (requester), bob, carol, dave (approvers), eve (outsider)
  Reject needs --reason (it is what the modal asks for); --comment approves with a comment.
  Approve on a sensitive request confirms it in its modal, as its Approve button does.
USAGE
}

[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
[[ $# -ge 1 ]] || { usage >&2; exit 2; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/bootstrap.sh"
cd "$root"
exec "$root/.venv/bin/python" -m localdev.click "$@"
