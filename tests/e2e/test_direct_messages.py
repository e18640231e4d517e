"""A DM-routed approval on the running local stack: the durable function (hosted by the local
Lambda host, run by AWS's durable runner) opens a DM with each approver through the fake
Slack's `conversations.open`, a click in one DM (signed as Slack signs it) decides, the
execution resumes, and every copy is redrawn (the copy clicked by the webhook before it answers,
every copy by the stream relay). Quiet approvers decide without being messaged.
"""

from __future__ import annotations

import json
import secrets
import urllib.request
from typing import TYPE_CHECKING, Any

import pytest
from boto3.dynamodb.conditions import Attr

from localdev import fixtures
from localdev.click import click, store_for, table
from localdev.demo import lambda_client, wait_for
from localdev.functions import DIRECT_APPROVAL
from tests.e2e.test_local_stack import finished
from tests.e2e.test_slack_calls import inject

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord
    from localdev.config import StackConfig

pytestmark = pytest.mark.e2e


def start(config: StackConfig, channel: str | None = None) -> tuple[str, str]:
    """Ask finance (bob, carol, dave) with frank quiet; the execution ARN and the title."""
    title = f"Open the vault {secrets.token_hex(4)}"
    event = {
        "title": title,
        "by": "U0ALICE",
        "approvers": [fixtures.APPROVERS_GROUP],
        "quiet": [fixtures.ESCALATION_ID],
        "channel": channel,
    }
    response = lambda_client(config).invoke(
        FunctionName=DIRECT_APPROVAL.name,
        InvocationType="Event",
        DurableExecutionName=title.replace(" ", "-"),
        Payload=json.dumps(event).encode(),
    )
    return response["DurableExecutionArn"], title


def posted(config: StackConfig, title: str, copies: int) -> ApprovalRecord:
    """The request once all its copies are posted."""

    def found() -> ApprovalRecord | None:
        items = table(config).scan(FilterExpression=Attr("request.title").eq(title))["Items"]
        for item in items:
            record = store_for(config).get(str(item["approval_id"]))
            if len(record.posted_as()) == copies:
                return record
        return None

    record: ApprovalRecord = wait_for(found, 30, f"{copies} copies of '{title}'")
    return record


def slack_state(config: StackConfig) -> dict[str, Any]:
    with urllib.request.urlopen(config.url("slack") + "/_state", timeout=5) as response:
        state: dict[str, Any] = json.loads(response.read())
        return state


def copies_of(config: StackConfig, record: ApprovalRecord) -> dict[str, dict[str, Any]]:
    """The fake Slack's messages of this request, by conversation."""
    return {
        m["channel"]: m
        for m in slack_state(config)["messages"]
        if m.get("approval_id") == record.approval_id and not m.get("thread_ts")
    }


def test_a_dm_routed_request_is_decided_in_one_dm_and_every_copy_shows_it(
    local_stack: StackConfig,
) -> None:
    # Given a request routed to DMs: bob, carol and dave each get one; frank (quiet) none
    arn, title = start(local_stack)
    record = posted(local_stack, title, copies=3)
    by_person = {m.recipient: m for m in record.posted_as()}
    assert set(by_person) == set(fixtures.APPROVER_IDS)
    dms = slack_state(local_stack)["dms"]
    assert {dms[m.channel] for m in record.posted_as()} == set(fixtures.APPROVER_IDS)
    assert "D" + fixtures.ESCALATION_ID[1:] not in copies_of(local_stack, record)

    # When carol approves in her own DM
    clicked = click(
        local_stack, "approve", record.approval_id, "U0CAROL", where=by_person["U0CAROL"]
    )

    # Then the execution resumes approved by carol, and all three DMs show it, buttons gone
    assert clicked.status == 200
    execution = finished(local_stack, arn)
    assert execution["Status"] == "SUCCEEDED", execution.get("Error")
    result = json.loads(execution["Result"])
    assert (result["status"], [d["user_id"] for d in result["deciders"]]) == (
        "approved",
        ["U0CAROL"],
    )
    assert result["message"]["channel"] == record.posted_as()[0].channel

    def all_redrawn() -> bool:
        shown = copies_of(local_stack, record)
        return len(shown) == 3 and all(
            "Approved* by <@U0CAROL>" in json.dumps(m["blocks"]) for m in shown.values()
        )

    wait_for(all_redrawn, 15, "every copy redrawn")


def test_a_quiet_approver_decides_in_the_channel_without_being_messaged(
    local_stack: StackConfig,
) -> None:
    # Given a request in the channel and in DMs, frank quiet
    arn, title = start(local_stack, channel=fixtures.CHANNEL_ID)
    record = posted(local_stack, title, copies=4)
    assert record.slack is not None
    assert record.slack.channel == fixtures.CHANNEL_ID
    assert fixtures.ESCALATION_ID not in record.dm_recipients()
    channel_text = json.dumps(copies_of(local_stack, record)[fixtures.CHANNEL_ID]["blocks"])
    assert fixtures.ESCALATION_ID not in channel_text

    # When frank approves from the channel's message
    assert click(local_stack, "approve", record.approval_id, fixtures.ESCALATION_ID).status == 200

    # Then his vote decides it
    execution = finished(local_stack, arn)
    result = json.loads(execution["Result"])
    assert [d["user_id"] for d in result["deciders"]] == [fixtures.ESCALATION_ID]


def test_a_click_is_answered_after_one_slow_redraw_and_the_relay_redraws_every_copy(
    local_stack: StackConfig,
) -> None:
    # Given a DM request (bob, carol, dave), and Slack answering chat.update a second late
    arn, title = start(local_stack)
    record = posted(local_stack, title, copies=3)
    # bounded: 8 calls, 1 s each
    inject(local_stack, {"method": "chat.update", "delay_ms": 1000, "times": 8})

    # When bob approves in his DM
    bob = next(m for m in record.posted_as() if m.recipient == "U0BOB")
    clicked = click(local_stack, "approve", record.approval_id, "U0BOB", where=bob)

    # Then he is answered after his own copy's redraw, not all three (3 s: Slack's deadline)
    assert clicked.status == 200
    assert clicked.seconds < 2.5, f"answered after {clicked.seconds:.2f} s"
    assert "Approved* by <@U0BOB>" in json.dumps(copies_of(local_stack, record)["D0BOB"]["blocks"])
    assert finished(local_stack, arn)["Status"] == "SUCCEEDED"

    # And the local stack's relay redraws every copy
    def all_redrawn() -> bool:
        shown = copies_of(local_stack, record)
        return len(shown) == 3 and all(
            "Approved* by <@U0BOB>" in json.dumps(m["blocks"]) for m in shown.values()
        )

    wait_for(all_redrawn, 20, "every copy redrawn")


def test_every_copy_shows_the_decision_though_slack_rate_limits_the_redraws(
    local_stack: StackConfig,
) -> None:
    # Given a DM request, and Slack answering 429 (Retry-After: 1) to the next two chat.update
    arn, title = start(local_stack)
    record = posted(local_stack, title, copies=3)
    rate_limited = {"method": "chat.update", "error": "ratelimited", "times": 2, "retry_after": 1}
    inject(local_stack, rate_limited)

    # When dave approves in his DM (the webhook does not wait out a 429: it has 3 s to answer)
    dave = next(m for m in record.posted_as() if m.recipient == "U0DAVE")
    assert click(local_stack, "approve", record.approval_id, "U0DAVE", where=dave).status == 200

    # Then the workflow resumed, and every copy ends up redrawn: the stream relay redraws the
    # decision on every copy with a client that waits out Retry-After
    assert finished(local_stack, arn)["Status"] == "SUCCEEDED"

    def all_redrawn() -> bool:
        shown = copies_of(local_stack, record)
        return len(shown) == 3 and all(
            "Approved* by <@U0DAVE>" in json.dumps(m["blocks"]) for m in shown.values()
        )

    wait_for(all_redrawn, 20, "every copy redrawn")
