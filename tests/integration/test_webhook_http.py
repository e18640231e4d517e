"""The webhook over real HTTP with really signed requests; records in moto, Slack faked."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any

import pytest

from greenlight.core.votes import Status
from localdev.slack_requests import (
    block_actions,
    form,
    post,
    send_signed,
    signed_headers,
    view_submission,
)
from tests.integration.conftest import SIGNING_SECRET, click_payload, post_pending

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord
    from tests.integration.conftest import Stack


def click(
    stack: Stack, record: ApprovalRecord, user: str, action: str = "approve"
) -> tuple[int, str]:
    payload = click_payload(record, user, action)
    return send_signed(stack.webhook_url, SIGNING_SECRET, payload)


def callbacks_for(stack: Stack, record: ApprovalRecord) -> list[tuple[str, Any]]:
    return [(kind, body) for kind, cid, body in stack.callbacks.sent() if cid == record.callback_id]


def ephemerals_for(stack: Stack, user: str) -> list[str]:
    return [e["text"] for e in stack.slack.snapshot()["ephemerals"] if e["user"] == user]


def message_of(stack: Stack, record: ApprovalRecord) -> dict[str, Any]:
    assert record.slack is not None
    messages = stack.slack.snapshot()["messages"]
    found: dict[str, Any] = next(m for m in messages if m["ts"] == record.slack.ts)
    return found


def test_valid_click_decides_resumes_and_redraws(stack: Stack) -> None:
    # Given a pending 1-of-3 approval
    record = post_pending(stack)

    # When a listed approver clicks Approve
    status, _ = click(stack, record, "U0BOB")

    # Then it is approved once, the workflow is resumed, and the buttons are gone
    assert status == 200
    stored = stack.store.get(record.approval_id)
    assert stored.status is Status.APPROVED
    assert stored.decided_by == ("U0BOB",)
    ((kind, body),) = callbacks_for(stack, record)
    assert kind == "succeed"
    result = json.loads(body)
    assert result["decision"] == "approved"
    assert [a["user_id"] for a in result["approvers"]] == ["U0BOB"]
    blocks = message_of(stack, record)["blocks"]
    assert all(b["type"] != "actions" for b in blocks)
    assert "*Approved* by <@U0BOB>" in json.dumps(blocks)


@pytest.mark.parametrize(
    ("name", "headers"),
    [
        ("wrong signature", {"X-Slack-Signature": "v0=" + "0" * 64}),
        ("timestamp 301 s old", "stale"),
        ("missing signature", {"X-Slack-Signature": None}),
        ("missing timestamp", {"X-Slack-Request-Timestamp": None}),
        ("non-numeric timestamp", {"X-Slack-Request-Timestamp": "soon"}),
    ],
)
def test_unsigned_or_badly_signed_requests_are_refused(
    stack: Stack, name: str, headers: dict[str, str | None] | str
) -> None:
    record = post_pending(stack)
    assert record.slack is not None
    body = form(
        block_actions(
            action_id="approve",
            approval_id=record.approval_id,
            user_id="U0BOB",
            channel_id=record.slack.channel,
            message_ts=record.slack.ts,
        )
    )
    if headers == "stale":
        sent = signed_headers(SIGNING_SECRET, body, timestamp=int(time.time()) - 301)
    else:
        assert isinstance(headers, dict)
        sent = signed_headers(SIGNING_SECRET, body)
        for key, value in headers.items():
            if value is None:
                sent.pop(key)
            else:
                sent[key] = value

    status, _ = post(stack.webhook_url, body, sent)

    assert status == 401, name
    assert callbacks_for(stack, record) == []
    assert stack.store.get(record.approval_id).status is Status.PENDING


@pytest.mark.parametrize("body", ["payload=%7Bnot-json", "payload=", "%%%", "payload=%5B1%2C2%5D"])
def test_signed_but_unreadable_bodies_get_a_4xx_not_a_5xx(stack: Stack, body: str) -> None:
    calls_before = len(stack.callbacks.sent())

    status, _ = post(stack.webhook_url, body, signed_headers(SIGNING_SECRET, body))

    assert 400 <= status < 500
    assert len(stack.callbacks.sent()) == calls_before


def test_non_utf8_body_is_refused_as_unsigned(stack: Stack) -> None:
    # Given a body that is not UTF-8 (Slack always sends UTF-8), "signed" over its latin-1 reading
    raw = b"payload=\xff\xfe"
    headers = signed_headers(SIGNING_SECRET, raw.decode("latin-1"))
    request = urllib.request.Request(stack.webhook_url, data=raw, headers=headers, method="POST")
    # When it is sent
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    # Then slack_sdk's verifier cannot check it (it reads the body as UTF-8): a 401, not a 500
    assert caught.value.code == 401


def test_another_app_or_workspace_is_refused(stack: Stack) -> None:
    record = post_pending(stack)
    assert record.slack is not None
    payload = block_actions(
        action_id="approve",
        approval_id=record.approval_id,
        user_id="U0BOB",
        channel_id=record.slack.channel,
        message_ts=record.slack.ts,
    )
    payload["api_app_id"] = "A0SOMEONEELSE"

    status, _ = send_signed(stack.webhook_url, SIGNING_SECRET, payload)

    assert status == 403
    assert stack.store.get(record.approval_id).status is Status.PENDING


def test_unknown_approval_id_gets_a_clear_answer(stack: Stack) -> None:
    record = post_pending(stack)
    assert record.slack is not None
    payload = block_actions(
        action_id="approve",
        approval_id="NoSuchApprovalId000000",
        user_id="U0CAROL",
        channel_id=record.slack.channel,
        message_ts=record.slack.ts,
    )

    status, _ = send_signed(stack.webhook_url, SIGNING_SECRET, payload)

    assert status == 200
    assert ephemerals_for(stack, "U0CAROL")[-1].startswith("This approval request no longer exists")


def test_outsider_is_refused_and_nothing_changes(stack: Stack) -> None:
    record = post_pending(stack)

    status, _ = click(stack, record, "U0EVE")

    assert status == 200
    assert ephemerals_for(stack, "U0EVE")[-1] == (
        "You can't decide this request: you are not an approver for this request. "
        "Nothing was changed."
    )
    assert stack.store.get(record.approval_id).status is Status.PENDING
    assert callbacks_for(stack, record) == []


def test_requester_cannot_approve_their_own_request(stack: Stack) -> None:
    record = post_pending(stack, approvers=("U0ALICE", "U0BOB"))

    click(stack, record, "U0ALICE")

    assert "you cannot decide your own request" in ephemerals_for(stack, "U0ALICE")[-1]
    assert stack.store.get(record.approval_id).votes == ()
    assert callbacks_for(stack, record) == []


def test_double_click_is_told_already_decided(stack: Stack) -> None:
    record = post_pending(stack)
    click(stack, record, "U0BOB")

    status, _ = click(stack, record, "U0CAROL")

    assert status == 200
    assert ephemerals_for(stack, "U0CAROL")[-1].startswith("Already approved by <@U0BOB>")
    assert len(callbacks_for(stack, record)) == 1


def test_reject_asks_for_a_reason_then_rejects(stack: Stack) -> None:
    # Given a pending approval and a click on Reject
    record = post_pending(stack)
    click(stack, record, "U0DAVE", action="reject")
    opened = stack.slack.snapshot()["views"][-1]["view"]
    assert opened["private_metadata"] == record.approval_id
    assert callbacks_for(stack, record) == []

    # When the modal is submitted empty, the form says why and nothing changes
    status, body = send_signed(
        stack.webhook_url,
        SIGNING_SECRET,
        view_submission(view=opened, user_id="U0DAVE", reason=" "),
    )
    assert status == 200
    assert json.loads(body) == {
        "response_action": "errors",
        "errors": {"reason": "Please say why."},
    }
    assert stack.store.get(record.approval_id).status is Status.PENDING

    # When it is submitted with a reason, the approval is rejected with it
    status, body = send_signed(
        stack.webhook_url,
        SIGNING_SECRET,
        view_submission(view=opened, user_id="U0DAVE", reason="budget frozen until Q3"),
    )
    assert status == 200
    stored = stack.store.get(record.approval_id)
    assert (stored.status, stored.reason, stored.decided_by) == (
        Status.REJECTED,
        "budget frozen until Q3",
        ("U0DAVE",),
    )
    # And the workflow is resumed with an answer (success), the verdict in it
    ((kind, body),) = callbacks_for(stack, record)
    assert kind == "succeed"
    result = json.loads(body)
    assert (result["decision"], result["reason"]) == ("rejected", "budget frozen until Q3")
    assert [a["user_id"] for a in result["approvers"]] == ["U0DAVE"]
    assert "*Rejected* by <@U0DAVE>" in json.dumps(message_of(stack, record)["blocks"])


def test_reject_by_outsider_opens_no_modal(stack: Stack) -> None:
    record = post_pending(stack)
    views_before = len(stack.slack.snapshot()["views"])

    click(stack, record, "U0EVE", action="reject")

    assert len(stack.slack.snapshot()["views"]) == views_before
    assert "not an approver" in ephemerals_for(stack, "U0EVE")[-1]


def test_health_answers_and_other_paths_do_not(stack: Stack) -> None:
    with urllib.request.urlopen(stack.webhook_url.replace("/slack/events", "/health")) as r:
        assert r.status == 200
    status, _ = post(stack.webhook_url.replace("/slack/events", "/nope"), "x", {})
    assert status == 404


def test_a_closed_callback_counts_as_already_decided_not_an_error(stack: Stack) -> None:
    record = post_pending(stack)
    stack.callbacks.closed.add(record.callback_id)

    status, _ = click(stack, record, "U0BOB")

    assert status == 200
    assert stack.store.get(record.approval_id).status is Status.APPROVED
    assert callbacks_for(stack, record) == []
    assert "*Approved* by <@U0BOB>" in json.dumps(message_of(stack, record)["blocks"])
