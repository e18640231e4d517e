"""What a button click answers its clicker (`comments.act_on_click`): nothing where the redrawn
message says it, a line where it does not, and the truth when Slack will not open a form."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from greenlight.core import messages
from greenlight.core.buttons import ACTION_APPROVE, ACTION_REJECT
from greenlight.webhook.app import reply_for
from greenlight.webhook.comments import act_on_click
from greenlight.webhook.decisions import DecisionService
from greenlight.webhook.payloads import ButtonClick, HomeClick
from tests.fakes.workflow import InMemoryApprovalStore
from tests.unit.webhook.test_approval_metrics import APPROVAL_ID, AnsweringCallbacks, pending
from tests.unit.webhook.test_click_redraws_the_copy_seen import CHANNEL

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord, SlackMessage
    from greenlight.webhook.slack_board import SlackMessageBoard

AT = datetime(2026, 11, 22, 12, 1, tzinfo=UTC)  # while the fixture's request is open


class Board:
    """The message board; `opens` says whether Slack opens a form (views.open)."""

    def __init__(self, *, opens: bool = True) -> None:
        self.opens = opens
        self.forms: list[str] = []

    def redraw_copy(self, record: ApprovalRecord, message: SlackMessage) -> None:
        pass

    def ask_reason(self, trigger_id: str, record: ApprovalRecord) -> bool:
        self.forms.append("reject")
        return self.opens

    def open_form(self, trigger_id: str, view: dict[str, Any], record: ApprovalRecord) -> bool:
        self.forms.append("approve")
        return self.opens


def click_on(board: Board, click: ButtonClick | HomeClick, quorum: int = 1) -> str | None:
    store = InMemoryApprovalStore()
    store.create(pending(quorum=quorum).with_message(CHANNEL))
    service = DecisionService(store, AnsweringCallbacks(), board, lambda: AT)
    slack_board: SlackMessageBoard = board  # type: ignore[assignment]  # the methods it uses
    return act_on_click(
        click, service, slack_board, reply_for, home_tab=isinstance(click, HomeClick)
    )


def message_click(action_id: str) -> ButtonClick:
    return ButtonClick(action_id, APPROVAL_ID, "U0BOB", CHANNEL.channel, "trigger", CHANNEL.ts)


def test_a_deciding_click_on_the_message_is_answered_by_the_redrawn_message_alone() -> None:
    assert click_on(Board(), message_click(ACTION_APPROVE)) is None


def test_a_deciding_click_in_the_home_tab_says_what_it_decided() -> None:
    line = click_on(Board(), HomeClick(ACTION_APPROVE, APPROVAL_ID, "U0BOB", "trigger"))

    assert line == "Your vote decided *Order*: approved."


def test_a_vote_that_decides_nothing_yet_says_how_far_it_is() -> None:
    line = click_on(Board(), message_click(ACTION_APPROVE), quorum=2)

    assert line == "Your approval is recorded (1 of 2)."


@pytest.mark.parametrize("opens", [True, False])
def test_reject_opens_its_form_or_says_slack_would_not(opens: bool) -> None:
    board = Board(opens=opens)

    line = click_on(board, message_click(ACTION_REJECT))

    assert board.forms == ["reject"]
    assert line == (None if opens else messages.form_unavailable())
