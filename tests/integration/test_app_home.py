"""The App Home inbox over real HTTP: signed events and clicks in, `views.publish` out.

The webhook runs under uvicorn over moto's DynamoDB and the fake Slack (which checks every
view as Slack does); the requests are the recorded ones of `localdev/slack_corpus`
(`app_home_opened`, `block_actions_home`), signed as Slack signs them.
"""

from __future__ import annotations

import json
import urllib.request
from typing import TYPE_CHECKING, Any

from greenlight.core.votes import Status
from localdev.slack_corpus import signature_headers
from localdev.slack_requests import (
    app_home_opened,
    home_click,
    post,
    send_signed,
    send_signed_event,
    signed_headers,
    slash_command,
    view_submission,
)
from tests.integration.conftest import SIGNING_SECRET, click_body, post_pending

if TYPE_CHECKING:
    import pytest

    from greenlight.core.record import ApprovalRecord
    from localdev.stream_relay import StreamPoller
    from tests.integration.conftest import Stack

Json = dict[str, Any]


def home_of(stack: Stack, user: str) -> Json | None:
    with stack.slack.lock:
        view = stack.slack.homes.get(user)
        return json.loads(json.dumps(view)) if view else None


def buttons_in(view: Json) -> list[tuple[str, str]]:
    """(action_id, value) of every button in a view."""
    return [
        (e["action_id"], e["value"])
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def texts_in(view: Json) -> str:
    found = []
    for b in view["blocks"]:
        if b["type"] == "section":
            found.append(b["text"]["text"])
        if b["type"] == "context":
            found += [e["text"] for e in b["elements"]]
    return "\n".join(found)


def publishes(stack: Stack) -> int:
    with stack.slack.lock:
        return sum(1 for c in stack.slack.calls if c["method"] == "views.publish")


def open_home(stack: Stack, user: str, tab: str = "home") -> tuple[int, str]:
    return send_signed_event(stack.webhook_url, SIGNING_SECRET, app_home_opened(user, tab))


def click_home(stack: Stack, record: ApprovalRecord, user: str, action: str = "approve") -> Json:
    view = home_of(stack, user)
    assert view is not None
    payload = home_click(action_id=action, approval_id=record.approval_id, user_id=user, view=view)
    status, body = send_signed(stack.webhook_url, SIGNING_SECRET, payload)
    assert (status, body) == (200, "")
    return payload


def test_opening_the_home_tab_publishes_what_waits_on_you(stack: Stack) -> None:
    # Given a pending approval bob may decide
    record = post_pending(stack)
    # When bob opens the Home tab (a signed app_home_opened)
    status, body = open_home(stack, "U0BOB")
    # Then his Home tab shows it with working Approve and Reject buttons
    assert (status, body) == (200, "")
    view = home_of(stack, "U0BOB")
    assert view is not None
    assert view["type"] == "home"
    assert ("approve", record.approval_id) in buttons_in(view)
    assert ("reject", record.approval_id) in buttons_in(view)


def test_the_requester_sees_no_buttons_for_their_own_request(stack: Stack) -> None:
    # Given a pending approval requested by alice
    record = post_pending(stack)
    # When alice opens the Home tab
    open_home(stack, "U0ALICE")
    # Then nothing of it waits on her: she may not decide her own request
    view = home_of(stack, "U0ALICE")
    assert view is not None
    assert record.approval_id not in {v for _, v in buttons_in(view)}


def test_a_forged_app_home_opened_changes_nothing(stack: Stack) -> None:
    # Given a pending approval and the number of Home tabs published so far
    post_pending(stack)
    before = publishes(stack)
    body = app_home_opened("U0DAVE")
    # When the event arrives signed with another secret, or with no signature
    json_type = {"Content-Type": "application/json"}
    forged = post(stack.webhook_url, body, json_type | signature_headers("not-the-secret", body))
    unsigned = post(stack.webhook_url, body, json_type)
    # Then both are refused before anything reads them, and nothing is published
    assert forged[0] == 401
    assert unsigned[0] == 401
    assert publishes(stack) == before


def test_opening_the_messages_tab_publishes_nothing(stack: Stack) -> None:
    before = publishes(stack)
    status, _ = open_home(stack, "U0BOB", tab="messages")
    assert status == 200
    assert publishes(stack) == before


def test_approve_in_the_home_tab_decides_and_redraws_it(stack: Stack) -> None:
    # Given bob's Home tab showing a pending approval
    record = post_pending(stack)
    open_home(stack, "U0BOB")
    # When bob clicks Approve there
    click_home(stack, record, "U0BOB")
    # Then the approval is decided, its workflow resumed, and his Home tab says so
    after = stack.store.get(record.approval_id)
    assert (after.status, after.decided_by) == (Status.APPROVED, ("U0BOB",))
    sent = [kind for kind, cid, _ in stack.callbacks.sent() if cid == record.callback_id]
    assert sent == ["succeed"]
    view = home_of(stack, "U0BOB")
    assert view is not None
    assert record.approval_id not in {v for _, v in buttons_in(view)}
    assert "Your vote decided" in texts_in(view)


def test_reject_in_the_home_tab_asks_why_then_decides(stack: Stack) -> None:
    # Given carol's Home tab showing a pending approval
    record = post_pending(stack)
    open_home(stack, "U0CAROL")
    # When carol clicks Reject there and submits the form with a reason
    payload = click_home(stack, record, "U0CAROL", action="reject")
    with stack.slack.lock:
        opened = [v for v in stack.slack.views if v["trigger_id"] == payload["trigger_id"]]
    assert len(opened) == 1
    submission = view_submission(view=opened[0]["view"], user_id="U0CAROL", reason="no budget")
    status, body = send_signed(stack.webhook_url, SIGNING_SECRET, submission)
    # Then the approval is rejected with her reason
    assert (status, body) == (200, "")
    after = stack.store.get(record.approval_id)
    assert (after.status, after.reason) == (Status.REJECTED, "no budget")


def test_a_click_in_the_home_tab_by_someone_not_allowed_changes_nothing(stack: Stack) -> None:
    # Given a pending approval and eve, who is not an approver, with a Home tab
    record = post_pending(stack)
    open_home(stack, "U0EVE")
    # When eve sends a click on its Approve button (a request Slack signed)
    click_home(stack, record, "U0EVE")
    # Then nothing changed, and her Home tab says why
    after = stack.store.get(record.approval_id)
    assert (after.status, after.votes) == (Status.PENDING, ())
    view = home_of(stack, "U0EVE")
    assert view is not None
    assert "You can't decide this request" in texts_in(view)


def test_the_relay_refreshes_the_home_tabs_of_everyone_concerned(
    stack: Stack, relay: StreamPoller
) -> None:
    # Given a pending approval, seen by the relay, and bob's and carol's Home tabs showing it
    record = post_pending(stack)
    relay.drain()
    for user in ("U0BOB", "U0CAROL"):
        view = home_of(stack, user)
        assert view is not None
        assert ("approve", record.approval_id) in buttons_in(view)
    # When dave approves it on the message (not in any Home tab)
    body = click_body(record, "U0DAVE")
    assert post(stack.webhook_url, body, signed_headers(SIGNING_SECRET, body))[0] == 200
    relay.drain()
    # Then the relay redrew bob's and carol's Home tabs: no buttons, listed as decided
    for user in ("U0BOB", "U0CAROL", "U0ALICE"):
        view = home_of(stack, user)
        assert view is not None
        assert record.approval_id not in {v for _, v in buttons_in(view)}
        assert record.request.title in texts_in(view)


def test_a_slack_failure_never_fails_the_relays_batch(
    stack: Stack, relay: StreamPoller, caplog: pytest.LogCaptureFixture
) -> None:
    # Given views.publish failing for the next calls (Slack down for Home tabs)
    record = post_pending(stack)
    relay.drain()
    fault = {"method": "views.publish", "error": "internal_error", "times": 50}
    request = urllib.request.Request(
        f"{stack.slack_url}/_faults", data=json.dumps(fault).encode(), method="POST"
    )
    urllib.request.urlopen(request, timeout=5).close()  # loopback fake
    try:
        # When a decision is made and the relay handles it
        body = click_body(record, "U0BOB")
        post(stack.webhook_url, body, signed_headers(SIGNING_SECRET, body))
        accepted = relay.drain()
    finally:
        clear = urllib.request.Request(f"{stack.slack_url}/_faults", method="DELETE")
        urllib.request.urlopen(clear, timeout=5).close()  # loopback fake
    # Then Slack refused the Home tabs, yet the batch succeeded: the decision is delivered
    # and nothing is left to retry (a failed record would be read again, now accepted)
    refused = [r for r in caplog.records if r.getMessage() == "Slack refused the Home tab"]
    assert refused
    assert accepted >= 1
    assert [k for k, c, _ in stack.callbacks.sent() if c == record.callback_id] == ["succeed"]
    assert relay.drain() == 0


def test_slash_approvals_points_to_the_home_tab(stack: Stack) -> None:
    body = slash_command("/approvals", "U0BOB")
    status, answer = post(stack.webhook_url, body, signed_headers(SIGNING_SECRET, body))
    assert status == 200
    text = json.loads(answer)["text"]
    assert "slack://app?team=T0GREENLT&id=A0GREENLT&tab=home" in text


def opened_by(stack: Stack, payload: Json) -> Json:
    with stack.slack.lock:
        (opened,) = [
            v["view"] for v in stack.slack.views if v["trigger_id"] == payload["trigger_id"]
        ]
    copied: Json = json.loads(json.dumps(opened))
    return copied


def test_a_sensitive_requests_approve_in_the_home_tab_opens_its_confirmation(stack: Stack) -> None:
    # Given bob's Home tab showing a sensitive request
    record = post_pending(stack, sensitive=True)
    open_home(stack, "U0BOB")
    view = home_of(stack, "U0BOB")
    assert view is not None
    assert ("approve_confirm", record.approval_id) in buttons_in(view)
    assert ("approve", record.approval_id) not in buttons_in(view)
    assert "Sensitive" in texts_in(view)
    # When a one-click approve arrives from the Home tab anyway (forged), nothing is counted
    click_home(stack, record, "U0BOB", action="approve")
    assert stack.store.get(record.approval_id).votes == ()
    after_forged = home_of(stack, "U0BOB")
    assert after_forged is not None
    assert "approved only by confirming" in texts_in(after_forged)
    # When bob clicks its Approve, the confirmation opens; nothing is decided yet
    payload = click_home(stack, record, "U0BOB", action="approve_confirm")
    opened = opened_by(stack, payload)
    assert (opened["callback_id"], opened["private_metadata"]) == (
        "approve_confirm",
        record.approval_id,
    )
    assert stack.store.get(record.approval_id).status is Status.PENDING
    # When he confirms, it is approved and its workflow resumed
    submission = view_submission(view=opened, user_id="U0BOB", values={})
    assert send_signed(stack.webhook_url, SIGNING_SECRET, submission) == (200, "")
    after = stack.store.get(record.approval_id)
    assert (after.status, after.decided_by) == (Status.APPROVED, ("U0BOB",))
    sent = [kind for kind, cid, _ in stack.callbacks.sent() if cid == record.callback_id]
    assert sent == ["succeed"]


def test_approve_with_comment_in_the_home_tab_asks_for_the_comment(stack: Stack) -> None:
    # Given carol's Home tab showing a pending approval
    record = post_pending(stack)
    open_home(stack, "U0CAROL")
    # When she clicks Approve with comment there and submits it with a comment
    payload = click_home(stack, record, "U0CAROL", action="approve_comment")
    opened = opened_by(stack, payload)
    assert opened["callback_id"] == "approve_comment"
    assert stack.store.get(record.approval_id).status is Status.PENDING
    submission = view_submission(view=opened, user_id="U0CAROL", values={"comment": "fine"})
    assert send_signed(stack.webhook_url, SIGNING_SECRET, submission) == (200, "")
    # Then it is approved with her comment
    vote = stack.store.get(record.approval_id).vote_of("U0CAROL")
    assert vote is not None
    assert (vote.verdict.value, vote.comment) == ("approve", "fine")
