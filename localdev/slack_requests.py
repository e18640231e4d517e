"""Builds and sends the signed requests Slack sends to the webhook on a click, submit or command.

Every request is a recorded one from `localdev.slack_corpus` (copied from Bolt's own fixtures),
with only the live ids filled in: the local stack, `click.sh`, the tests and the benchmarks speak
what Slack really sends, not our reading of it.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from localdev import fixtures, slack_corpus
from localdev.slack_corpus import form

Json = dict[str, Any]
CLICK = "block_actions_channel"  # a channel message in an ordinary workspace: what the stack is
SUBMISSION = "view_submission_ordinary_empty_state"
COMMAND = "command_approvals"
HOME_OPENED = "app_home_opened"
HOME_CLICK = "block_actions_home"

__all__ = [
    "app_home_opened",
    "block_actions",
    "form",
    "home_click",
    "post",
    "send_signed",
    "send_signed_event",
    "signed_headers",
    "slash_command",
    "view_submission",
]


def signed_headers(signing_secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's headers for an interactive or command `body`: form content type and signature."""
    return {"Content-Type": "application/x-www-form-urlencoded"} | slack_corpus.signature_headers(
        signing_secret, body, timestamp
    )


def new_trigger_id() -> str:
    """A trigger id in Slack's shape (`<digits>.<digits>.<hex>`, views.open's reference:
    "132456.7890123.abcdef"), minted now: its first part is the time it was minted, in
    milliseconds, which the fake Slack's views.open reads to refuse it 3 s later as Slack does
    (`localdev.slack_web_api.trigger_minted_at`). Slack's own ids are opaque; these are ours."""
    return f"{int(time.time() * 1000)}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"


def block_actions(
    *, action_id: str, approval_id: str, user_id: str, channel_id: str, message_ts: str
) -> Json:
    """A `block_actions` payload for a click on one of the approval buttons."""
    return slack_corpus.fill_click(
        slack_corpus.load(CLICK).payload,
        action_id=action_id,
        approval_id=approval_id,
        user_id=user_id,
        channel_id=channel_id,
        message_ts=message_ts,
        trigger_id=new_trigger_id(),
    )


def home_click(*, action_id: str, approval_id: str, user_id: str, view: Json) -> Json:
    """A `block_actions` payload for a click on a button in `user_id`'s Home tab, `view` (as
    views.publish answered it). Slack sends the whole view back with the click, every block
    (docs.slack.dev/reference/interaction-payloads/block_actions-payload, `view`; Bolt's fixture
    slackapi/bolt-python@a2f21ae tests/scenario_tests/test_block_suggestion.py, whose `view`
    holds its blocks in full), so the body is as large as the Home tab is."""
    payload = slack_corpus.load(HOME_CLICK).payload
    payload["user"]["id"] = user_id
    payload["trigger_id"] = new_trigger_id()
    view_id = str(view["id"])
    payload["container"]["view_id"] = view_id
    payload["view"] |= {"id": view_id, "root_view_id": view_id, "blocks": view["blocks"]}
    kept = ("hash", "callback_id", "private_metadata")
    payload["view"] |= {k: view[k] for k in kept if k in view}
    action = payload["actions"][0]
    action |= {"action_id": action_id, "value": approval_id, "action_ts": f"{time.time():.6f}"}
    action["block_id"] = f"decision-{approval_id}"
    action["text"] = {"type": "plain_text", "text": action_id.capitalize()}
    return payload


def app_home_opened(user_id: str, tab: str = "home") -> str:
    """The JSON body Slack posts when `user_id` opens the app's Home (or Messages) tab."""
    body = slack_corpus.load(HOME_OPENED).request["json"]
    body["event"] |= {"user": user_id, "tab": tab, "event_ts": f"{time.time():.6f}"}
    body["event_id"] = f"Ev{secrets.token_hex(5).upper()}"
    body["event_time"] = int(time.time())
    return json.dumps(body)


def send_signed_event(url: str, signing_secret: str, body: str) -> tuple[int, str]:
    """Sign and send an Events API body (JSON) exactly as Slack would."""
    headers = {"Content-Type": "application/json"}
    headers |= slack_corpus.signature_headers(signing_secret, body)
    return post(url, body, headers)


def view_submission(
    *, view: Json, user_id: str, reason: str | None = None, values: dict[str, str] | None = None
) -> Json:
    """A `view_submission` of the modal `view`: the reject modal with `reason` typed in, or any
    modal with `values` (block id -> text) typed in."""
    return slack_corpus.fill_submission(
        slack_corpus.load(SUBMISSION).payload,
        view=view,
        user_id=user_id,
        reason=reason,
        values=values,
    )


def slash_command(command: str, user_id: str, text: str = "") -> str:
    """The form body Slack posts for a slash command, from an ordinary workspace of ours."""
    fields = dict(urllib.parse.parse_qsl(slack_corpus.load(COMMAND).body(), keep_blank_values=True))
    fields |= {
        "command": command,
        "text": text,
        "user_id": user_id,
        "user_name": fixtures.anyone(user_id).name,
        "trigger_id": new_trigger_id(),
    }
    fields.pop("enterprise_id", None)  # the local workspace is not part of an Enterprise Grid org
    fields.pop("enterprise_name", None)
    return urllib.parse.urlencode(fields)


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
