"""Pure converters from Slack's interactive payloads to what the service understands."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from approvals.buttons import (
    ACTION_APPROVE,
    ACTION_REJECT,
    REASON_ACTION_ID,
    REASON_BLOCK_ID,
    parse_approval_id,
)
from approvals.errors import InvalidRequestError
from approvals.request import is_slack_user_id


@dataclass(frozen=True, slots=True)
class ButtonClick:
    """An Approve or Reject click on an approval message."""

    action_id: str
    approval_id: str
    user_id: str
    channel_id: str
    trigger_id: str


@dataclass(frozen=True, slots=True)
class ReasonSubmission:
    """The reject modal, submitted."""

    approval_id: str
    user_id: str
    reason: str


def to_button_click(body: dict[str, Any]) -> ButtonClick:
    """Read a `block_actions` payload.

    Raises:
        InvalidRequestError: a field we rely on is missing or malformed.
    """
    actions = body.get("actions")
    if not isinstance(actions, list) or len(actions) != 1 or not isinstance(actions[0], dict):
        raise InvalidRequestError("actions", "exactly one action expected")
    action = actions[0]
    action_id = action.get("action_id")
    if action_id not in (ACTION_APPROVE, ACTION_REJECT):
        raise InvalidRequestError("action_id", "not an approval button")
    container = _dict(body, "container")
    channel = container.get("channel_id") or _dict(body, "channel").get("id")
    return ButtonClick(
        action_id=str(action_id),
        approval_id=parse_approval_id(action.get("value")),
        user_id=user_of(body),
        channel_id=_text(channel, "channel"),
        trigger_id=_text(body.get("trigger_id"), "trigger_id"),
    )


def to_reason_submission(body: dict[str, Any]) -> ReasonSubmission:
    """Read a `view_submission` of the reject modal; a blank reason comes back as "".

    Raises:
        InvalidRequestError: the view is not our modal or lacks its metadata.
    """
    view = _dict(body, "view")
    values = _dict(_dict(view, "state"), "values")
    field = _dict(_dict(values, REASON_BLOCK_ID), REASON_ACTION_ID)
    reason = field.get("value")
    return ReasonSubmission(
        approval_id=parse_approval_id(view.get("private_metadata")),
        user_id=user_of(body),
        reason=reason.strip() if isinstance(reason, str) else "",
    )


def user_of(body: dict[str, Any]) -> str:
    """The Slack user who acted.

    Raises:
        InvalidRequestError: no well-formed user id.
    """
    user = _dict(body, "user").get("id")
    if not isinstance(user, str) or not is_slack_user_id(user):
        raise InvalidRequestError("user", "missing or not a Slack user id")
    return user


def origin_of(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """The app id and workspace id a request claims to come from."""
    team = body.get("team")
    team_id = team.get("id") if isinstance(team, dict) else body.get("team_id")
    app_id = body.get("api_app_id")
    return (
        app_id if isinstance(app_id, str) else None,
        team_id if isinstance(team_id, str) else None,
    )


HANDLED_PAYLOADS = ("block_actions", "view_submission")
OBJECT_FIELDS = ("user", "team", "container", "channel", "message", "view", "state", "enterprise")


def shape_problem(form: dict[str, list[str]]) -> str | None:
    """Refuse interactive payloads we do not handle, or whose shape Bolt trips over (it
    answers 500 for a `block_actions` without actions, a `null` container, a view without a
    type): what is wrong, or None when the request may go on. Slash commands (plain form
    fields) pass."""
    if "payload" not in form:
        return None
    try:
        payload = json.loads(form["payload"][-1])
    except ValueError:
        return "payload is not JSON"
    if not isinstance(payload, dict):
        return "payload is not an object"
    return _interactive_problem(payload)


def _interactive_problem(payload: dict[str, Any]) -> str | None:
    kind = payload.get("type")
    if kind not in HANDLED_PAYLOADS:
        return "unsupported payload type"
    wrong = next(
        (k for k in OBJECT_FIELDS if k in payload and not isinstance(payload[k], dict)), None
    )
    if wrong:
        return f"{wrong} must be an object"
    if not isinstance(payload.get("user"), dict):
        return f"{kind} without a user"
    actions = payload.get("actions")
    actions = actions if isinstance(actions, list) else []
    if kind == "block_actions" and not (actions and all(isinstance(a, dict) for a in actions)):
        return "block_actions without actions"
    if kind == "view_submission":
        return _view_problem(payload.get("view"))
    return None


def _view_problem(view: Any) -> str | None:
    if not isinstance(view, dict):
        return "view_submission without a view"
    # Bolt reads view.type and view.callback_id unguarded (a KeyError is a 500).
    if not all(isinstance(view.get(k), str) for k in ("type", "callback_id")):
        return "view_submission without a view type and callback_id"
    return None


def _dict(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidRequestError(name, "missing")
    return value
