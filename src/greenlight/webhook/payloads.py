"""Pure converters from Slack's interactive payloads to what the service understands."""

from __future__ import annotations

import logging
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

from slack_bolt.request.internals import parse_body

from greenlight.core.buttons import (
    ACTION_APPROVE,
    ACTION_APPROVE_WITH_COMMENT,
    ACTION_CONFIRM_APPROVE,
    ACTION_REJECT,
    COMMENT_ACTION_ID,
    COMMENT_BLOCK_ID,
    REASON_ACTION_ID,
    REASON_BLOCK_ID,
    parse_approval_id,
)
from greenlight.core.errors import InvalidRequestError
from greenlight.core.record import SlackMessage
from greenlight.core.request import is_slack_user_id

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ButtonClick:
    """A click on one of an approval message's buttons (`BUTTON_ACTIONS`): in `channel_id`, on
    the message posted as `message_ts` (None if Slack sent none we can read)."""

    action_id: str
    approval_id: str
    user_id: str
    channel_id: str
    trigger_id: str
    message_ts: str | None = None

    @property
    def seen_in(self) -> SlackMessage | None:
        """The message clicked, the copy the clicker sees (None when its ts is unknown)."""
        return SlackMessage(self.channel_id, self.message_ts) if self.message_ts else None


@dataclass(frozen=True, slots=True)
class HomeClick:
    """A click on one of an item's buttons in someone's Home tab."""

    action_id: str
    approval_id: str
    user_id: str
    trigger_id: str

    @property
    def seen_in(self) -> SlackMessage | None:
        """No message: the clicker sees their Home tab (published again with the result)."""
        return None


# Every button of an approval, on its message and in the App Home tab alike.
BUTTON_ACTIONS = (
    ACTION_APPROVE,
    ACTION_REJECT,
    ACTION_APPROVE_WITH_COMMENT,
    ACTION_CONFIRM_APPROVE,
)
# The same, as a listener's `action_id`: Bolt matches a pattern with `search`, hence the anchors.
BUTTONS = re.compile(rf"\A(?:{'|'.join(re.escape(a) for a in BUTTON_ACTIONS)})\Z")


@dataclass(frozen=True, slots=True)
class CommentSubmission:
    """An approve modal (with comment, or a sensitive request's confirmation), submitted; a
    blank comment comes back as None."""

    approval_id: str
    user_id: str
    comment: str | None


@dataclass(frozen=True, slots=True)
class ReasonSubmission:
    """The reject modal, submitted."""

    approval_id: str
    user_id: str
    reason: str


def read_button_click(body: dict[str, Any]) -> ButtonClick | None:
    """A message button's click, or None (logged) when Slack sent one we cannot read: the
    listener acks it and nothing changes."""
    try:
        return to_button_click(body)
    except InvalidRequestError as err:
        logger.warning("unreadable click", extra={"field": err.field})
        return None


def only_action(body: dict[str, Any]) -> dict[str, Any]:
    """The one action of a `block_actions` payload (a button click carries exactly one).

    Raises:
        InvalidRequestError: no actions, several, or one that is not an object.
    """
    actions = body.get("actions")
    if not isinstance(actions, list) or len(actions) != 1 or not isinstance(actions[0], dict):
        raise InvalidRequestError("actions", "exactly one action expected")
    action: dict[str, Any] = actions[0]
    return action


def to_button_click(body: dict[str, Any]) -> ButtonClick:
    """Read a `block_actions` payload.

    Raises:
        InvalidRequestError: a field we rely on is missing or malformed.
    """
    home = to_home_click(body)
    container = _dict(body, "container")
    channel = container.get("channel_id") or _dict(body, "channel").get("id")
    ts = container.get("message_ts") or _dict(body, "message").get("ts")
    return ButtonClick(
        action_id=home.action_id,
        approval_id=home.approval_id,
        user_id=home.user_id,
        channel_id=required_text(channel, "channel"),
        trigger_id=home.trigger_id,
        message_ts=ts if isinstance(ts, str) and ts else None,
    )


def to_home_click(body: dict[str, Any]) -> HomeClick:
    """Read a `block_actions` from the Home tab: what every approval button's click carries
    (the message's adds its channel: `to_button_click`).

    Raises:
        InvalidRequestError: a field we rely on is missing or malformed.
    """
    action = only_action(body)
    action_id = action.get("action_id")
    if action_id not in BUTTON_ACTIONS:
        raise InvalidRequestError("action_id", "not an approval button")
    trigger = required_text(body.get("trigger_id"), "trigger_id")
    return HomeClick(str(action_id), parse_approval_id(action.get("value")), user_of(body), trigger)


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


def to_comment_submission(body: dict[str, Any]) -> CommentSubmission:
    """Read a `view_submission` of an approve modal. An optional input left empty arrives as
    `"value": null` (or, with no inputs, `state: {}`): both read as no comment.

    Raises:
        InvalidRequestError: the view lacks its metadata, or the clicker's id.
    """
    view = _dict(body, "view")
    values = _dict(_dict(view, "state"), "values")
    comment = _dict(_dict(values, COMMENT_BLOCK_ID), COMMENT_ACTION_ID).get("value")
    text = comment.strip() if isinstance(comment, str) else ""
    return CommentSubmission(
        approval_id=parse_approval_id(view.get("private_metadata")),
        user_id=user_of(body),
        comment=text or None,
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


# Fields Bolt reads with `"id" in value` (slack_bolt/request/internals.py): absent, null, a
# string or an object are what Slack sends (`"enterprise": null` outside Enterprise Grid,
# `"team": null` for org-wide installs); anything else is a TypeError inside Bolt: a 500.
ID_HOLDERS = ("enterprise", "team", "user", "channel")
LIST_FIELDS = ("authorizations", "response_urls", "actions")
OBJECT_FIELDS = ("event", "view", "message", "container")


def parse(text: str, content_type: str | None) -> dict[str, Any]:
    """The request body as Bolt will see it: JSON bodies, `payload=` forms and plain forms alike.

    Raises:
        InvalidRequestError: the body is not something Bolt can read, or not an object.
    """
    try:
        body = parse_body(text, content_type)
    except (ValueError, RecursionError) as err:  # JSONDecodeError; JSON nested too deep
        raise InvalidRequestError("body", "not readable JSON or form data") from err
    if not isinstance(body, dict):
        raise InvalidRequestError("body", "not an object")
    return body


def is_ssl_check(text: str, content_type: str | None) -> bool:
    """Slack's certificate check of a slash command URL (form `token=…&ssl_check=1`): unsigned by
    design, answered 200 as Bolt answers it.

    It is read before the signature is checked, so it decodes nothing but a plain form (no
    JSON, no `payload` field): an unsigned body can cost no more than splitting a string.
    """
    if content_type == "application/json" or text.startswith(("{", "payload=")):
        return False  # JSON; an interactive `payload=` form, which is never a check
    fields = urllib.parse.parse_qs(text, keep_blank_values=True, max_num_fields=20)
    return "payload" not in fields and fields.get("ssl_check") == ["1"]


def shape_problem(body: dict[str, Any]) -> str | None:
    """What in a parsed request would make Bolt fail (a 500) instead of answer, or None.

    Only those shapes are refused: every request Slack documents passes, whatever its type
    (the corpus in `localdev/slack_corpus` proves it); types we do not handle reach Bolt, which
    answers them as it does.
    """
    return _field_problem(body) or _type_problem(body)


def _field_problem(body: dict[str, Any]) -> str | None:
    wrong = next(
        (k for k in ID_HOLDERS if body.get(k) is not None and not isinstance(body[k], str | dict)),
        None,
    )
    if wrong:
        return f"{wrong} must be an object, a string or null"
    wrong = next((k for k in LIST_FIELDS if k in body and not _is_list_of_objects(body[k])), None)
    if wrong:
        return f"{wrong} must be a list of objects"
    wrong = next(
        (k for k in OBJECT_FIELDS if body.get(k) is not None and not isinstance(body[k], dict)),
        None,
    )
    return f"{wrong} must be an object or null" if wrong else None


def _type_problem(body: dict[str, Any]) -> str | None:
    # Bolt's matchers read actions[0]["action_id"] and event["type"] unguarded, and match the
    # latter against a pattern (a non-string is a TypeError).
    kind = body.get("type")
    if kind == "block_actions":
        actions = body.get("actions")
        if not actions or not isinstance(actions[0].get("action_id"), str):
            return "block_actions without an action_id"
    if kind in ("view_submission", "view_closed"):
        return _view_problem(body.get("view"))
    if kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return "event_callback without an event type"
    return None


def _is_list_of_objects(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _view_problem(view: Any) -> str | None:
    # Bolt reads view.type and view.callback_id unguarded (a KeyError is a 500).
    if not isinstance(view, dict) or not all(
        isinstance(view.get(k), str) for k in ("type", "callback_id")
    ):
        return "a view without a type and callback_id"
    return None


def _dict(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def required_text(value: Any, name: str) -> str:
    """`value` as a non-empty string.

    Raises:
        InvalidRequestError: `name` is missing, empty or not a string.
    """
    if not isinstance(value, str) or not value:
        raise InvalidRequestError(name, "missing")
    return value
