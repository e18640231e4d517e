"""A click is answered after one chat.update, whatever the number of DM copies.

Slack wants the answer to a click within 3 seconds; otherwise the clicker sees a generic error
(docs.slack.dev/interactivity/handling-user-interaction, "acknowledgment response": an HTTP
200 "within 3000ms of receiving the payload"). The app is FaaS-configured
(`process_before_response=True`, DESIGN §5), so Bolt answers only once the listener returns.
A `DirectMessages` route sends a copy to each pinged approver (greenlight.core.route), e.g. each
member of a usergroup; the listener redraws only the copy clicked (`DecisionService.decide`),
and the relay redraws the others from the stream (tests/unit/webhook/test_relay.py,
tests/integration/test_relay.py). Found in review: every copy was redrawn before the answer,
40 copies at 100 ms each 4 s.

The click is Bolt's fixture (localdev/slack_corpus/block_actions_channel.json, from
slackapi/bolt-python@a2f21ae tests/scenario_tests/test_block_actions_respond.py).
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from slack_bolt.request import BoltRequest

from greenlight.core.buttons import ACTION_APPROVE
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import SlackMessage
from greenlight.core.secret import Secret
from greenlight.core.votes import VoteEffect
from greenlight.webhook import slack_board
from greenlight.webhook.app import build_app
from greenlight.webhook.decisions import DecisionService
from localdev.slack_requests import block_actions, form, signed_headers
from tests.unit.core.test_blocks import record
from tests.unit.webhook.test_app import WORKSPACE, MissingApprovals, NoCallbacks

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pytest
    from slack_sdk import WebClient

    from greenlight.core.record import ApprovalRecord
    from greenlight.core.votes import Vote
    from greenlight.webhook.ports import MessageBoard

GROUP = [f"U0MEMBER{n:02d}" for n in range(40)]  # a usergroup of 40, each sent a DM copy
SLACK_ROUND_TRIP = 0.1  # seconds per Web API call: modest for Lambda -> slack.com
ACK_DEADLINE = 3.0


class CountsTheVote(MissingApprovals):
    """A store whose request, sent to each member of the group, counts the vote (1 of 2)."""

    def record_vote(self, approval_id: str, vote: Vote) -> tuple[ApprovalRecord, VoteEffect]:
        base = replace(record(), policy=ApproverPolicy(frozenset(GROUP), quorum=2))
        copies = tuple(SlackMessage(f"D{u[1:]}", "1700000000.000100", u) for u in GROUP)
        return replace(base, copies=copies).with_vote(vote), VoteEffect.COUNTED


def test_a_click_is_answered_within_slacks_three_seconds_whatever_the_copies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given Slack answering each chat.update after a round trip
    updated: list[str] = []

    def update(client: WebClient, rec: ApprovalRecord, message: SlackMessage) -> None:
        time.sleep(SLACK_ROUND_TRIP)
        updated.append(message.channel)

    monkeypatch.setattr(slack_board, "redraw_copy", update)

    def decisions(board: MessageBoard) -> DecisionService:
        return DecisionService(CountsTheVote(), NoCallbacks(), board, lambda: datetime.now(UTC))

    unreachable = replace(WORKSPACE, slack_api_url="http://127.0.0.1:9/api/")  # the ephemeral
    app = build_app(unreachable, lambda: Secret("xoxb-unit-not-real"), decisions)
    payload = block_actions(
        action_id=ACTION_APPROVE,
        approval_id="A" * 22,
        user_id=GROUP[0],
        channel_id=f"D{GROUP[0][1:]}",
        message_ts="1700000000.000100",
    )
    payload |= {"api_app_id": WORKSPACE.slack_app_id, "team": {"id": WORKSPACE.slack_team_id}}
    body = form(payload)
    headers: dict[str, str | Sequence[str]] = {**signed_headers("unused", body)}

    # When a member approves in their DM copy
    started = time.monotonic()
    response = app.dispatch(BoltRequest(body=body, headers=headers))
    answered_after = time.monotonic() - started

    # Then Slack gets its answer in time, after one chat.update: the copy clicked
    assert response.status == 200
    assert answered_after < ACK_DEADLINE, f"{len(updated)} chat.update calls before the answer"
    assert updated == [f"D{GROUP[0][1:]}"]
