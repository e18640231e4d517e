"""A click redraws, before it is answered, only the copy its clicker sees; the relay the rest.

Slack wants a click answered within 3 s (docs.slack.dev/interactivity/handling-user-interaction)
and Bolt answers only once the listener returns, so the webhook draws one message: the copy
clicked, the submitter's own copy for a modal's submission (it names no message), none for a
Home tab click (the tab is published again with the result). A channel request has one message:
it is the one redrawn, as before.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from greenlight.core.record import ApprovalRecord, SlackMessage
from greenlight.core.votes import Status, Verdict
from greenlight.webhook.decisions import Click, DecisionService
from tests.fakes.workflow import InMemoryApprovalStore
from tests.unit.webhook.test_approval_metrics import APPROVAL_ID, AnsweringCallbacks, pending

AT = datetime(2026, 11, 22, 12, 1, tzinfo=UTC)  # while the fixture's request is open
CHANNEL = SlackMessage("C0DEPLOYS", "1700000000.000001")
BOB_DM = SlackMessage("D0BOB", "1700000000.000002", "U0BOB")
CAROL_DM = SlackMessage("D0CAROL", "1700000000.000003", "U0CAROL")


class Board:
    """The message board: which copies were redrawn, with the record each showed."""

    def __init__(self) -> None:
        self.redrawn: list[tuple[SlackMessage, ApprovalRecord]] = []

    def redraw_copy(self, record: ApprovalRecord, message: SlackMessage) -> None:
        self.redrawn.append((message, record))


def service_for(*copies: SlackMessage, quorum: int = 2) -> tuple[DecisionService, Board]:
    record = pending(quorum=quorum)
    for message in copies:
        record = record.with_message(message)
    store = InMemoryApprovalStore()
    store.create(record)
    board = Board()
    return DecisionService(store, AnsweringCallbacks(), board, lambda: AT), board


@pytest.mark.parametrize("quorum", [1, 2])  # a decision, and a vote that counts (1 of 2)
def test_a_click_in_one_dm_redraws_that_copy_only(quorum: int) -> None:
    # Given a request in the channel and in Bob's and Carol's DMs
    service, board = service_for(CHANNEL, BOB_DM, CAROL_DM, quorum=quorum)

    # When Carol approves in her DM (Slack's click names the channel and the message's ts)
    clicked = SlackMessage(CAROL_DM.channel, CAROL_DM.ts)
    result = service.decide(Click(APPROVAL_ID, "U0CAROL", Verdict.APPROVE, message=clicked))

    # Then only her copy is redrawn before the answer, showing her vote
    assert board.redrawn == [(CAROL_DM, result.record)]
    assert result.record.vote_of("U0CAROL") is not None
    assert result.decided is (quorum == 1)


def test_a_channel_request_redraws_its_one_message() -> None:
    service, board = service_for(CHANNEL, quorum=1)

    result = service.decide(Click(APPROVAL_ID, "U0BOB", Verdict.APPROVE, message=CHANNEL))

    assert board.redrawn == [(CHANNEL, result.record)]
    assert result.record.status is Status.APPROVED


@pytest.mark.parametrize(
    ("user", "seen"),
    [("U0BOB", BOB_DM), ("U0CAROL", CHANNEL)],  # Carol has no DM copy here: the channel's
)
def test_a_modals_submission_redraws_the_submitters_own_copy(user: str, seen: SlackMessage) -> None:
    # Given a request in the channel and in Bob's DM
    service, board = service_for(CHANNEL, BOB_DM)

    # When a reject modal is submitted (it names no message)
    service.decide(Click(APPROVAL_ID, user, Verdict.REJECT, reason="not this quarter"))

    # Then the submitter's own copy is redrawn, and no other
    assert [message for message, _ in board.redrawn] == [seen]


def test_a_click_on_a_message_that_is_not_a_copy_redraws_the_clickers_own() -> None:
    # Given a click on an ephemeral message (not one of the request's copies)
    service, board = service_for(CHANNEL, BOB_DM)
    elsewhere = SlackMessage("C0DEPLOYS", "1700000099.000001")

    service.decide(Click(APPROVAL_ID, "U0BOB", Verdict.APPROVE, message=elsewhere))

    assert [message for message, _ in board.redrawn] == [BOB_DM]


def test_a_home_tab_click_redraws_no_message() -> None:
    service, board = service_for(CHANNEL, BOB_DM, CAROL_DM, quorum=1)

    result = service.decide(Click(APPROVAL_ID, "U0BOB", Verdict.APPROVE, on_home_tab=True))

    assert result.decided
    assert board.redrawn == []
