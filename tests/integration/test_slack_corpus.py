"""Every recorded Slack request gets the answer Slack expects, over HTTP and through Mangum.

The requests are copied from references others wrote (`localdev/slack_corpus`, each file names
its source), with only ids adapted: this is what proves the webhook answers Slack, not our
reading of it. Through Mangum they travel inside AWS's own recorded Function URL event, with
the body base64-encoded and not.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from greenlight.core.votes import Status
from greenlight.webhook.build import build_webhook
from localdev import fixtures, slack_corpus
from localdev.slack_requests import post
from tests.events import function_url_event
from tests.integration.conftest import SIGNING_SECRET, post_pending
from tests.integration.test_webhook_mangum import invoke

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord
    from localdev.slack_corpus import CorpusEntry
    from tests.integration.conftest import Stack

ENTRIES = slack_corpus.entries()
GRID_APPROVER = "W0GRIDBOB"  # the corpus's Enterprise Grid approver (a W… id)
Send = Callable[[str, dict[str, str]], tuple[int, str]]


def live_body(entry: CorpusEntry, record: ApprovalRecord) -> str:
    """The recorded request, pointing at a live approval where it names one."""
    if "form_payload" not in entry.request:
        return entry.body()
    payload: dict[str, Any] = entry.payload
    if payload["type"] == "block_actions":
        assert record.slack is not None
        payload["actions"][0]["value"] = record.approval_id
        if payload["container"]["type"] == "message":  # a Home tab click has no message
            payload["container"] |= {
                "message_ts": record.slack.ts,
                "channel_id": record.slack.channel,
            }
    else:
        payload["view"]["private_metadata"] = record.approval_id
    return entry.body(payload)


def check_answer(
    stack: Stack, entry: CorpusEntry, record: ApprovalRecord, status: int, body: str
) -> None:
    """The answer `entry.expect` names, and what it means for the approval."""
    assert status == entry.expect["status"], (entry.name, body)
    after = stack.store.get(record.approval_id)
    outcome = entry.expect["outcome"]
    sent = [kind for kind, cid, _ in stack.callbacks.sent() if cid == record.callback_id]
    if outcome == "approved":
        assert (after.status, sent) == (Status.APPROVED, ["succeed"]), entry.name
    elif outcome == "rejected":
        assert body == ""
        assert (after.status, after.reason) == (Status.REJECTED, "test"), entry.name
    else:
        assert (after.status, sent) == (Status.PENDING, []), entry.name
    if outcome == "reason_required":
        assert json.loads(body)["response_action"] == "errors"
    elif outcome == "ephemeral":
        answer = json.loads(body)
        assert answer["response_type"] == "ephemeral"
        assert answer["text"]
    elif outcome == "challenge":
        assert json.loads(body) == {"challenge": entry.request["json"]["challenge"]}
    elif outcome == "empty":
        assert body == ""


def run_entry(stack: Stack, entry: CorpusEntry, send: Send) -> None:
    # Given a pending approval that the recorded clicker may decide
    record = post_pending(stack, approvers=(*fixtures.APPROVER_IDS, GRID_APPROVER))
    # When Slack's recorded request reaches the webhook, signed as Slack signs it (or not)
    body = live_body(entry, record)
    status, answer = send(body, entry.headers(body, SIGNING_SECRET))
    # Then it gets the answer Slack expects, and the approval shows what it meant
    check_answer(stack, entry, record, status, answer)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_recorded_request_over_http(stack: Stack, entry: CorpusEntry) -> None:
    run_entry(stack, entry, lambda body, headers: post(stack.webhook_url, body, headers))


@pytest.mark.parametrize("base64_encoded", [True, False], ids=["base64", "text"])
@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_recorded_request_through_mangum_in_a_function_url_event(
    stack: Stack, entry: CorpusEntry, base64_encoded: bool
) -> None:
    asgi = build_webhook(stack.settings)

    def send(body: str, headers: dict[str, str]) -> tuple[int, str]:
        event = function_url_event(body, headers, base64_encoded=base64_encoded)
        response = invoke(asgi, event)
        return int(response["statusCode"]), str(response.get("body") or "")

    run_entry(stack, entry, send)


def test_the_corpus_covers_what_slack_sends_us() -> None:
    # Every kind of request Slack sends a webhook like ours is recorded, each naming its source
    assert {e.name for e in ENTRIES} >= {
        "block_actions_channel",  # ordinary workspace: "enterprise": null
        "block_actions_grid_ephemeral",  # Grid workspace, W… user, ephemeral message
        "block_actions_org_install",  # org-wide install: "team": null, enterprise object
        "block_actions_home",  # a click in the App Home: a view container, no channel
        "app_home_opened",  # an Events API event: someone opened the Home tab
        "view_submission_grid",
        "view_submission_ordinary_empty_state",
        "view_submission_org_install",
        "view_closed",
        "command_approvals",
        "command_approvals_text",
        "ssl_check_unsigned",
        "ssl_check_signed",
        "url_verification",
        "event_redelivery",
    }
    assert all(e.source and e.describes for e in ENTRIES)
