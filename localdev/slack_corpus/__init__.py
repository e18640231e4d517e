"""Requests exactly as Slack sends them, copied from references that others wrote.

Each JSON file beside this module is one request: what it shows (`describes`), where it was
copied from (`source`: repository, commit and path, or Slack's documentation page), which ids were
changed to ours (`adapted`), the request itself and the answer Slack expects (`expect`). Nothing
here was written from our own reading of Slack: the fake Slack, `click.sh`, the tests and the
fuzzers build what they send from these files, so every local click has a real shape.

A request is stored in one of three forms: `form_payload` (an interactive payload, sent as the
form field `payload=`), `raw` (a form body as Slack sends it, e.g. a slash command) or `json` (an
Events API body). Sending fills in only what a live request must carry: the approval id in the
button or the modal, the clicker, the message and a fresh trigger id.
"""

from __future__ import annotations

import copy
import json
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slack_sdk.signature import SignatureVerifier

Json = dict[str, Any]
HERE = Path(__file__).parent


@dataclass(frozen=True, slots=True)
class CorpusEntry:
    """One recorded request and the answer Slack expects to it."""

    name: str
    describes: str
    source: str
    request: Json
    expect: Json

    @property
    def content_type(self) -> str:
        """The Content-Type Slack sends with this request."""
        return str(self.request["content_type"])

    @property
    def is_signed(self) -> bool:
        """Whether Slack signs this request (its ssl_check does not)."""
        return not self.request.get("unsigned", False)

    @property
    def payload(self) -> Json:
        """A fresh copy of the interactive payload (only for `form_payload` entries).

        Raises:
            KeyError: the entry is not an interactive payload.
        """
        return copy.deepcopy(self.request["form_payload"])

    def body(self, payload: Json | None = None) -> str:
        """The raw body as Slack sends it; `payload` replaces the recorded interactive one."""
        if "form_payload" in self.request:
            return form(self.request["form_payload"] if payload is None else payload)
        if "json" in self.request:
            return json.dumps(self.request["json"])
        return str(self.request["raw"])

    def headers(
        self, body: str, signing_secret: str, timestamp: int | None = None
    ) -> dict[str, str]:
        """The headers Slack sends with `body`: content type, extra headers, signature."""
        headers = {"Content-Type": self.content_type} | dict(self.request.get("headers", {}))
        if self.is_signed:
            headers |= signature_headers(signing_secret, body, timestamp)
        return headers


def load(name: str) -> CorpusEntry:
    """One entry by file name (without `.json`).

    Raises:
        FileNotFoundError: no such entry.
    """
    data = json.loads((HERE / f"{name}.json").read_text())
    return CorpusEntry(name, data["describes"], data["source"], data["request"], data["expect"])


def entries() -> list[CorpusEntry]:
    """Every entry, in name order."""
    return [load(path.stem) for path in sorted(HERE.glob("*.json"))]


def signature_headers(
    signing_secret: str, body: str, timestamp: int | None = None
) -> dict[str, str]:
    """Slack's signature: `v0=` + HMAC-SHA256(secret, `v0:{ts}:{body}`), and its timestamp."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature or ""}


def form(payload: Json) -> str:
    """Slack's envelope for interactive payloads: one form field `payload=`."""
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


def fill_click(
    payload: Json,
    *,
    action_id: str,
    approval_id: str,
    user_id: str,
    channel_id: str,
    message_ts: str,
    trigger_id: str,
) -> Json:
    """A recorded `block_actions` payload, as a click on our button of one live message."""
    payload["user"]["id"] = user_id
    payload["trigger_id"] = trigger_id
    payload["container"] |= {"message_ts": message_ts, "channel_id": channel_id}
    if isinstance(payload.get("channel"), dict):
        payload["channel"]["id"] = channel_id
    if isinstance(payload.get("message"), dict):
        payload["message"]["ts"] = message_ts
    action = payload["actions"][0]
    action |= {"action_id": action_id, "value": approval_id, "action_ts": f"{time.time():.6f}"}
    action["text"] = {"type": "plain_text", "text": action_id.capitalize()}
    return payload


def fill_submission(
    payload: Json,
    *,
    view: Json,
    user_id: str,
    reason: str | None = None,
    values: dict[str, str] | None = None,
) -> Json:
    """A recorded `view_submission` envelope around the view the app opened, inputs typed in.

    Slack sends back the view as the app opened it, with its own fields (id, hash, …) and the
    state of its inputs, keyed by block id then action id (Bolt's fixture in
    `view_submission_grid.json`); `view` is that view as the (fake) Slack holds it. `values`
    maps an input's block id to its text (`reason` is the reject modal's); an input left empty
    is sent as `"value": null`, as Slack sends an empty optional `plain_text_input`. A value for
    a block the view lacks is sent under that id as block and action id (a forged submission).
    """
    payload["user"]["id"] = user_id
    typed = dict(values or {}) | ({"reason": reason} if reason is not None else {})
    state: dict[str, Json] = {}
    for block in view.get("blocks", []):
        if block.get("type") == "input":
            element = block.get("element", {})
            text = typed.pop(block["block_id"], "")
            state[block["block_id"]] = {
                element.get("action_id"): {"type": element.get("type"), "value": text or None}
            }
    for block_id, text in typed.items():
        state[block_id] = {block_id: {"type": "plain_text_input", "value": text or None}}
    payload["view"] = copy.deepcopy(view) | {"state": {"values": state}}
    return payload
