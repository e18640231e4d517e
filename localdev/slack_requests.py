"""Builds and sends the exact signed requests Slack sends to the webhook on a click or submit."""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from slack_sdk.signature import SignatureVerifier

from localdev import fixtures

Json = dict[str, Any]


def signed_headers(signing_secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's headers for `body`: `v0=` + HMAC-SHA256(secret, `v0:{ts}:{body}`)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=ts, body=body)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature or "",
    }


def form(payload: Json) -> str:
    """Slack's envelope for interactive payloads: one form field `payload=`."""
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


def block_actions(
    *, action_id: str, approval_id: str, user_id: str, channel_id: str, message_ts: str
) -> Json:
    """A `block_actions` payload for a click on one of the approval buttons."""
    person = fixtures.anyone(user_id)
    return {
        "type": "block_actions",
        "api_app_id": fixtures.APP_ID,
        "team": {"id": fixtures.TEAM_ID, "domain": fixtures.TEAM_DOMAIN},
        "user": {
            "id": person.user_id,
            "username": person.name,
            "name": person.name,
            "team_id": fixtures.TEAM_ID,
        },
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        },
        "channel": {"id": channel_id, "name": fixtures.CHANNEL_NAME},
        "message": {"ts": message_ts, "text": "", "blocks": []},
        "trigger_id": f"{int(time.time())}.{secrets.randbelow(10**9)}.local",
        "response_url": "http://127.0.0.1/response-url-unused",
        "state": {"values": {}},
        "actions": [
            {
                "action_id": action_id,
                "block_id": "decision",
                "type": "button",
                "value": approval_id,
                "text": {"type": "plain_text", "text": action_id.capitalize()},
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def view_submission(*, view: Json, user_id: str, reason: str) -> Json:
    """A `view_submission` of the reject modal with `reason` typed in."""
    person = fixtures.anyone(user_id)
    return {
        "type": "view_submission",
        "api_app_id": fixtures.APP_ID,
        "team": {"id": fixtures.TEAM_ID, "domain": fixtures.TEAM_DOMAIN},
        "user": {"id": person.user_id, "username": person.name, "team_id": fixtures.TEAM_ID},
        "view": view
        | {
            "state": {
                "values": {"reason": {"reason": {"type": "plain_text_input", "value": reason}}}
            }
        },
    }


def slash_command(command: str, user_id: str, text: str = "") -> str:
    """The form body Slack posts for a slash command."""
    return urllib.parse.urlencode(
        {
            "command": command,
            "text": text,
            "user_id": user_id,
            "user_name": fixtures.anyone(user_id).name,
            "team_id": fixtures.TEAM_ID,
            "team_domain": fixtures.TEAM_DOMAIN,
            "channel_id": fixtures.CHANNEL_ID,
            "api_app_id": fixtures.APP_ID,
            "response_url": "http://127.0.0.1/response-url-unused",
            "trigger_id": f"{int(time.time())}.{secrets.randbelow(10**9)}.local",
        }
    )


def post(url: str, body: str, headers: dict[str, str], timeout: float = 10) -> tuple[int, str]:
    """POST to a loopback URL and return (status, body) whatever the status."""
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def send_signed(url: str, signing_secret: str, payload: Json) -> tuple[int, str]:
    """Sign and send an interactive payload exactly as Slack would."""
    body = form(payload)
    return post(url, body, signed_headers(signing_secret, body))
