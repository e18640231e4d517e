"""When Slack will not cooperate, or someone forges Slack: clear answers, and nothing changes."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from greenlight.core import messages
from greenlight.core.votes import Status
from greenlight.webhook.build import build_webhook
from localdev import slack_corpus
from localdev.slack_requests import post, signed_headers
from tests.events import function_url_event
from tests.integration.conftest import SIGNING_SECRET, click_body, post_pending
from tests.integration.test_webhook_mangum import invoke

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord
    from tests.integration.conftest import Stack

SIGNED = [e for e in slack_corpus.entries() if e.is_signed]


def reject_click(record: ApprovalRecord, user: str = "U0DAVE") -> str:
    return click_body(record, user, "reject")


def test_reject_when_slack_will_not_open_the_form_tells_the_approver(stack: Stack) -> None:
    # Given Slack refusing to open the modal (a trigger id older than its 3 s, as after a slow
    # start), injected into the fake Slack as Slack answers it
    fault = {"method": "views.open", "error": "expired_trigger_id"}
    assert post(f"{stack.slack_url}/_faults", json.dumps(fault), {})[0] == 200
    record = post_pending(stack)
    told_before = len(stack.slack.snapshot()["ephemerals"])

    # When Dave clicks Reject
    body = reject_click(record)
    status, _ = post(stack.webhook_url, body, signed_headers(SIGNING_SECRET, body))

    # Then Slack gets its 200, Dave is told to try again, and the approval still waits
    assert status == 200
    told = stack.slack.snapshot()["ephemerals"][told_before:]
    assert [(e["user"], e["text"]) for e in told] == [("U0DAVE", messages.form_unavailable())]
    assert stack.store.get(record.approval_id).status is Status.PENDING


def test_reject_with_slack_unreachable_still_answers_200_and_changes_nothing(
    stack: Stack,
) -> None:
    # Given a webhook whose Slack API does not answer at all (nothing listens on port 9)
    down = build_webhook(replace(stack.settings, slack_api_url="http://127.0.0.1:9/api/"))
    record = post_pending(stack)

    # When Dave clicks Reject, through Lambda's Function URL
    body = reject_click(record)
    response = invoke(down, function_url_event(body, signed_headers(SIGNING_SECRET, body)))

    # Then Slack still gets a 200 (no error shown for a click that changed nothing), and no vote
    assert response["statusCode"] == 200
    assert stack.store.get(record.approval_id).status is Status.PENDING
    assert [c for c in stack.callbacks.sent() if c[1] == record.callback_id] == []


@pytest.mark.parametrize("entry", SIGNED, ids=[e.name for e in SIGNED])
def test_a_recorded_request_signed_with_another_secret_reaches_no_listener(
    stack: Stack, entry: slack_corpus.CorpusEntry
) -> None:
    # Given a pending approval, and Slack's recorded request for it signed with a wrong secret
    record = post_pending(stack)
    body = entry.body()
    if "form_payload" in entry.request:
        payload = entry.payload
        if payload["type"] == "block_actions":
            payload["actions"][0]["value"] = record.approval_id
        else:
            payload["view"]["private_metadata"] = record.approval_id
        body = entry.body(payload)
    calls_before = len(stack.slack.snapshot()["calls"])

    # When it reaches the webhook (Bolt's own signature check is off: ours is the only one)
    status, answer = post(stack.webhook_url, body, entry.headers(body, "forged-secret"))

    # Then it is refused before anything runs (an ssl_check is answered, and does nothing):
    # no vote, no callback, no Slack call at all
    if entry.name.startswith("ssl_check"):
        assert (status, answer) == (200, "")
    else:
        assert (status, answer) == (401, '{"error": "invalid request"}')
    assert stack.store.get(record.approval_id).status is Status.PENDING
    assert len(stack.slack.snapshot()["calls"]) == calls_before


HEADER_CASES = {
    "timestamp of 400 digits": {"X-Slack-Request-Timestamp": "9" * 400},
    "non-ASCII signature": {"X-Slack-Signature": "v0=" + "é" * 64},
}


@pytest.mark.parametrize("case", sorted(HEADER_CASES))
def test_hostile_signing_headers_are_401_over_http_and_through_mangum(
    stack: Stack, case: str
) -> None:
    # Given a click whose signing header values no Slack would send (each was a 500 once)
    record = post_pending(stack)
    body = reject_click(record)
    headers = signed_headers(SIGNING_SECRET, body) | HEADER_CASES[case]
    wire = {k: v.encode("utf-8").decode("latin-1") for k, v in headers.items()}  # raw bytes

    # When it arrives over HTTP, and through Lambda's Function URL
    status, _ = post(stack.webhook_url, body, wire)
    response = invoke(build_webhook(stack.settings), function_url_event(body, headers))

    # Then both refuse it as unsigned, and nothing changed
    assert (status, response["statusCode"]) == (401, 401)
    assert stack.store.get(record.approval_id).status is Status.PENDING


@pytest.mark.parametrize("media_type", ["application/json", "text/plain"])
def test_a_signed_json_body_bolt_would_trip_over_is_400_not_500(
    stack: Stack, media_type: str
) -> None:
    # Given a signed JSON body (Bolt reads any body starting with "{" as the payload itself)
    body = '{"type": "block_actions", "api_app_id": "A0GREENLT", "actions": []}'
    headers = signed_headers(SIGNING_SECRET, body) | {"Content-Type": media_type}

    status, answer = post(stack.webhook_url, body, headers)

    assert (status, answer) == (400, '{"error": "block_actions without an action_id"}')
