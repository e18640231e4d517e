#!/usr/bin/env bash
# Runs Greenlight on this laptop against a real Slack workspace: the webhook and the durable
# side on the local stack (runner, Lambda host, DynamoDB), Slack reached through ngrok.
# Credentials come from the git-ignored .env (see .env.example). Ctrl-C stops everything.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/dev-ngrok.sh [--env-file .env]
  Prints the request URL to paste into the Slack app (Interactivity, /approvals, Event Subscriptions).
  NGROK_DOMAIN in .env uses a reserved domain, so the URL never changes.
USAGE
}

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
env_file="$root/.env"
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --env-file) env_file="${2:?--env-file needs a path}"; shift 2 ;;
    *) echo "error: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done

"$root/scripts/bootstrap.sh"
py="$root/.venv/bin/python"
cd "$root"
if [[ ! -f "$env_file" ]]; then
  echo "error: no $env_file: copy .env.example to .env and fill in your Slack app's values" >&2
  exit 2
fi
absent="$("$py" -c 'import sys; from pathlib import Path; from localdev.dotenv import missing, read_env
print(", ".join(missing(read_env(Path(sys.argv[1])))))' "$env_file")"
[[ -z "$absent" ]] || { echo "error: $env_file lacks $absent (see .env.example)" >&2; exit 2; }
command -v ngrok >/dev/null || {
  echo "error: ngrok is not installed: get it from ngrok.com/download, then run" \
       "'ngrok config add-authtoken <token>'" >&2
  exit 2
}
domain="$("$py" -c 'import sys; from pathlib import Path; from localdev.dotenv import read_env
print(read_env(Path(sys.argv[1])).get("NGROK_DOMAIN", ""))' "$env_file")"

"$py" -m localdev.stack start --real-slack "$env_file"
ngrok_args=(http 127.0.0.1:3000 --log stdout)
[[ -n "$domain" ]] && ngrok_args+=(--domain "$domain")
ngrok "${ngrok_args[@]}" > "$root/.local/logs/ngrok.log" 2>&1 &
ngrok_pid=$!
trap 'kill "$ngrok_pid" 2>/dev/null || true; "$py" -m localdev.stack stop' EXIT INT TERM

url=""
for _ in $(seq 1 50); do
  url="$("$py" -c 'import json, urllib.request
tunnels = json.load(urllib.request.urlopen("http://127.0.0.1:4040/api/tunnels", timeout=1))["tunnels"]
print(next((t["public_url"] for t in tunnels if t["public_url"].startswith("https")), ""))' 2>/dev/null || true)"
  [[ -n "$url" ]] && break
  sleep 0.2
done
[[ -n "$url" ]] || { echo "error: ngrok did not come up; see .local/logs/ngrok.log" >&2; exit 1; }
cat <<DONE

Request URL (paste into your Slack app's Interactivity & Shortcuts, the /approvals command,
and Event Subscriptions, for the App Home):
  $url/slack/events

Start an order:  ./scripts/start-approval.sh order.json --local
Logs:            .local/logs/   Stop: Ctrl-C
DONE
wait "$ngrok_pid"
