"""The local Slack page's server side: the page itself, who you can act as, each approval's
workflow (from the runner), and clicks, modal submissions and the opening of the App Home tab
(`app_home_opened`) signed and sent to the webhook exactly as Slack sends them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from greenlight.core.buttons import parse_approval_id
from greenlight.core.errors import InvalidRequestError, NotFoundError
from localdev import fixtures
from localdev.slack_requests import (
    app_home_opened,
    block_actions,
    home_click,
    send_signed,
    send_signed_event,
    view_submission,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from localdev.fake_slack import SlackState

Json = dict[str, Any]
STATIC = Path(__file__).resolve().parent / "page"
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css"}


@dataclass(frozen=True)
class SlackPage:
    """The Page port of `fake_slack`, for one workspace and one webhook."""

    state: SlackState
    webhook_url: str
    signing_secret: str
    execution: Callable[[str], Json]

    def get(self, path: str) -> tuple[int, str, bytes] | None:
        """The page, its files, the people, and an approval's workflow."""
        if path in ("/", "/index.html"):
            return 200, TYPES[".html"], (STATIC / "index.html").read_bytes()
        if path.startswith("/static/"):
            return self._static(path.removeprefix("/static/"))
        if path == "/_people":
            people = [asdict(p) for p in fixtures.PEOPLE]
            return 200, "application/json", json.dumps(people).encode()
        if path.startswith("/_execution/"):
            return self._execution(path.removeprefix("/_execution/"))
        return None

    @staticmethod
    def _static(name: str) -> tuple[int, str, bytes]:
        file = STATIC / name
        if "/" in name or file.suffix not in TYPES or not file.is_file():
            return 404, "text/plain", b"not found"
        return 200, TYPES[file.suffix], file.read_bytes()

    def _execution(self, raw_id: str) -> tuple[int, str, bytes]:
        try:
            body = self.execution(parse_approval_id(raw_id))
        except (InvalidRequestError, NotFoundError) as err:
            return 404, "application/json", json.dumps({"error": str(err)}).encode()
        return 200, "application/json", json.dumps(body, default=str).encode()

    def post(self, path: str, body: Json) -> tuple[int, Json] | None:
        """A click, a modal submission or the Home tab opened, as the chosen user."""
        if path != "/_interact":
            return None
        try:
            user = fixtures.person(str(body.get("user_id", ""))).user_id
        except KeyError as err:
            return 400, {"error": str(err)}
        kind = body.get("type")
        if kind == "app_home_opened" or (kind == "block_actions" and body.get("view_id")):
            return self._home(user, body)
        if kind == "block_actions":
            payload = block_actions(
                action_id=str(body.get("action_id")),
                approval_id=str(body.get("value")),
                user_id=user,
                channel_id=str(body.get("channel")),
                message_ts=str(body.get("message_ts")),
            )
            status, answer = send_signed(self.webhook_url, self.signing_secret, payload)
            return 200, {"status": status, "body": answer, "trigger_id": payload["trigger_id"]}
        if kind == "view_submission":
            return self._submit(user, body)
        return 400, {"error": "type must be block_actions, view_submission or app_home_opened"}

    def _submit(self, user: str, body: Json) -> tuple[int, Json]:
        """A modal the app opened, submitted with what was typed in."""
        view = next(
            (
                v["view"]
                for v in self.state.snapshot()["views"]
                if v["view"]["id"] == body.get("view_id")
            ),
            None,
        )
        if view is None:
            return 404, {"error": "no such modal"}
        typed = body.get("values")
        values = {str(k): str(v) for k, v in typed.items()} if isinstance(typed, dict) else {}
        if "reason" in body:  # the page's earlier form of the reject modal's one input
            values["reason"] = str(body["reason"])
        payload = view_submission(view=view, user_id=user, values=values)
        status, answer = send_signed(self.webhook_url, self.signing_secret, payload)
        return 200, {"status": status, "body": answer}

    def _home(self, user: str, body: Json) -> tuple[int, Json]:
        """The Home tab opened (`app_home_opened`), or a button in it clicked."""
        if body.get("type") == "app_home_opened":
            event = app_home_opened(user)
            status, answer = send_signed_event(self.webhook_url, self.signing_secret, event)
            return 200, {"status": status, "body": answer}
        view = self.state.snapshot()["homes"].get(user)
        if view is None or view["id"] != body.get("view_id"):
            return 404, {"error": "no such Home tab"}
        payload = home_click(
            action_id=str(body.get("action_id")),
            approval_id=str(body.get("value")),
            user_id=user,
            view=view,
        )
        status, answer = send_signed(self.webhook_url, self.signing_secret, payload)
        return 200, {"status": status, "body": answer, "trigger_id": payload["trigger_id"]}
