"""Pure converters from Slack payloads, and the envelope checks in front of Bolt."""

from __future__ import annotations

from typing import Any

import pytest

from approvals.errors import InvalidRequestError
from localdev.slack_requests import block_actions, view_submission
from slack_webhook.asgi import envelope_problem
from slack_webhook.payloads import (
    origin_of,
    shape_problem,
    to_button_click,
    to_reason_submission,
)

APPROVAL_ID = "A" * 22


def click(**overrides: Any) -> dict[str, Any]:
    body = block_actions(
        action_id="approve",
        approval_id=APPROVAL_ID,
        user_id="U0BOB",
        channel_id="C0APPROVALS",
        message_ts="1.2",
    )
    return body | overrides


def test_a_click_is_read_into_what_the_service_needs() -> None:
    parsed = to_button_click(click())

    assert (parsed.action_id, parsed.approval_id, parsed.user_id, parsed.channel_id) == (
        "approve",
        APPROVAL_ID,
        "U0BOB",
        "C0APPROVALS",
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"actions": []},
        {"actions": [{"action_id": "delete", "value": APPROVAL_ID}]},
        {"actions": [{"action_id": "approve", "value": "not-an-id"}]},
        {"user": {"id": "bob"}},
        {"user": None},
        {"trigger_id": None},
    ],
)
def test_malformed_clicks_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(InvalidRequestError):
        to_button_click(click(**overrides))


def test_reason_submission_reads_metadata_and_trims_the_reason() -> None:
    view = {"id": "V1", "callback_id": "reject_reason", "private_metadata": APPROVAL_ID}

    parsed = to_reason_submission(view_submission(view=view, user_id="U0DAVE", reason="  late  "))

    assert (parsed.approval_id, parsed.user_id, parsed.reason) == (APPROVAL_ID, "U0DAVE", "late")


def test_origin_is_read_from_either_payload_shape() -> None:
    assert origin_of(click()) == ("A0GREENLT", "T0GREENLT")
    assert origin_of({"api_app_id": "A1", "team_id": "T1"}) == ("A1", "T1")
    assert origin_of({"team": "T1"}) == (None, None)


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ({}, b"x", (401, "invalid request")),
        ({"x-slack-signature": "v0=1"}, b"x", (401, "invalid request")),
        (
            {"x-slack-signature": "v0=1", "x-slack-request-timestamp": "12a"},
            b"x",
            (401, "invalid request"),
        ),
        (
            {"x-slack-signature": "v0=1", "x-slack-request-timestamp": "١٢"},
            b"x",
            (401, "invalid request"),
        ),
        (
            {"x-slack-signature": "v0=1", "x-slack-request-timestamp": "12"},
            b"\xff",
            (400, "body is not UTF-8"),
        ),
        ({"x-slack-signature": "v0=1", "x-slack-request-timestamp": "12"}, b"payload=1", None),
    ],
)
def test_envelope_problems(
    headers: dict[str, str], body: bytes, expected: tuple[int, str] | None
) -> None:
    assert envelope_problem(headers, body) == expected


def _form(payload: str) -> dict[str, list[str]]:
    return {"payload": [payload]}


@pytest.mark.parametrize(
    ("form", "problem"),
    [
        (
            _form('{"type": "block_actions", "user": {}, "actions": []}'),
            "block_actions without actions",
        ),
        (
            _form('{"type": "block_actions", "user": {}, "actions": [1]}'),
            "block_actions without actions",
        ),
        (_form('{"type": "view_submission", "user": {}}'), "view_submission without a view"),
        (  # found by atheris: Bolt's workflow-step check reads view.type unguarded
            _form('{"type": "view_submission", "user": {}, "view": {"callback_id": ""}}'),
            "view_submission without a view type and callback_id",
        ),
        (
            _form(
                '{"type": "view_submission", "user": {}, "view": {"type": "m", "callback_id": 5}}'
            ),
            "view_submission without a view type and callback_id",
        ),
        (
            _form(
                '{"type": "view_submission", "user": {}, "view": {"type": "m", "callback_id": "x"}}'
            ),
            None,
        ),
        (_form('{"type": "shortcut", "user": {}}'), "unsupported payload type"),
        (
            _form('{"type": "block_actions", "user": {}, "container": null}'),
            "container must be an object",
        ),
        (_form('{"type": "block_actions", "actions": [{}]}'), "block_actions without a user"),
        (_form("[1, 2]"), "payload is not an object"),
        (_form("{not json"), "payload is not JSON"),
        (_form('{"type": "block_actions", "user": {}, "actions": [{"action_id": "x"}]}'), None),
        ({"command": ["/approvals"]}, None),
    ],
)
def test_payload_shapes_bolt_would_trip_over_are_refused(
    form: dict[str, list[str]], problem: str | None
) -> None:
    assert shape_problem(form) == problem
