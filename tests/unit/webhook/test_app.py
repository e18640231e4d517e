"""Which requests count as our app's, and which clicks reach the one button listener."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from slack_bolt.request import BoltRequest

from greenlight.core.buttons import ACTION_APPROVE, ACTION_REJECT, REASON_ACTION_ID
from greenlight.core.errors import NotFoundError
from greenlight.core.secret import Secret
from greenlight.webhook import app as app_module
from greenlight.webhook import home as home_module
from greenlight.webhook.app import build_app, is_ours
from greenlight.webhook.decisions import DecisionService
from greenlight.webhook.home import Inbox
from greenlight.webhook.settings import Settings
from localdev import fixtures, slack_corpus
from localdev.slack_requests import block_actions, form, signed_headers

if TYPE_CHECKING:
    from collections.abc import Sequence

    from slack_bolt import App

    from greenlight.core.record import ApprovalRecord
    from greenlight.core.votes import Vote, VoteEffect
    from greenlight.webhook.ports import MessageBoard

WORKSPACE = Settings(
    approvals_table="a",
    audit_table="b",
    slack_secret_name="s",
    slack_api_url=None,
    slack_app_id="A0GREENLT",
    slack_team_id="T0GREENLT",
    base_path="",
)
ORG = replace(WORKSPACE, slack_enterprise_id="E0GRIDORG")


@pytest.mark.parametrize(
    ("settings", "app_id", "team_id", "enterprise_id", "ours"),
    [
        (WORKSPACE, "A0GREENLT", "T0GREENLT", None, True),  # ordinary workspace
        (WORKSPACE, "A0GREENLT", "T0GREENLT", "E0GRIDORG", True),  # a workspace inside an org
        (WORKSPACE, "A0OTHER", "T0GREENLT", None, False),  # another app
        (WORKSPACE, None, "T0GREENLT", None, False),
        (WORKSPACE, "A0GREENLT", "T0OTHER", "E0GRIDORG", False),  # org not configured
        (WORKSPACE, "A0GREENLT", None, None, False),
        (ORG, "A0GREENLT", "T0OTHER", "E0GRIDORG", True),  # org-wide install
        (ORG, "A0GREENLT", "T0OTHER", "E0ELSEWHERE", False),
    ],
)
def test_origin(
    settings: Settings,
    app_id: str | None,
    team_id: str | None,
    enterprise_id: str | None,
    ours: bool,
) -> None:
    assert is_ours(settings, app_id, team_id, enterprise_id) is ours


class MissingApprovals:
    """A vote store that knows no approval: every click ends in 'not found'."""

    def get(self, approval_id: str) -> ApprovalRecord:
        raise NotFoundError(approval_id)

    def pending(self) -> list[ApprovalRecord]:
        return []

    def record_vote(self, approval_id: str, vote: Vote) -> tuple[ApprovalRecord, VoteEffect]:
        raise NotFoundError(approval_id)


class NoCallbacks:
    def succeed(self, callback_id: str, result: bytes) -> bool:
        raise AssertionError("nothing is decided here")


def unreachable_app(boards: list[MessageBoard]) -> App:
    """The app with its Slack unreachable (answers to the clicker are best effort); each
    board a click is given is kept in `boards`, so a test sees which clicks reached a listener."""

    def decisions(board: MessageBoard) -> DecisionService:
        boards.append(board)
        return DecisionService(MissingApprovals(), NoCallbacks(), board, lambda: datetime.now(UTC))

    unreachable = replace(WORKSPACE, slack_api_url="http://127.0.0.1:9/api/")
    return build_app(unreachable, lambda: Secret("xoxb-unit-not-real"), decisions)


@pytest.mark.parametrize(
    ("action_id", "reaches_the_listener"),
    [
        (ACTION_APPROVE, True),
        (ACTION_REJECT, True),
        (f"{ACTION_APPROVE}_all", False),
        (f"x{ACTION_REJECT}", False),
        (f"{ACTION_REJECT}\n", False),
        (REASON_ACTION_ID, False),
    ],
)
def test_approve_and_reject_share_one_listener_and_no_other_action_reaches_it(
    action_id: str, reaches_the_listener: bool
) -> None:
    # Given the app, its Slack unreachable (answers to the clicker are best effort)
    boards: list[MessageBoard] = []
    app = unreachable_app(boards)
    payload = block_actions(
        action_id=action_id,
        approval_id="A" * 22,
        user_id="U0BOB",
        channel_id=fixtures.CHANNEL_ID,
        message_ts="1700000000.000100",
    )
    payload |= {"api_app_id": WORKSPACE.slack_app_id, "team": {"id": WORKSPACE.slack_team_id}}
    body = form(payload)

    # When Slack delivers a click on that action
    headers: dict[str, str | Sequence[str]] = {**signed_headers("unused", body)}
    response = app.dispatch(BoltRequest(body=body, headers=headers))

    # Then only the two approval buttons reach the listener, each with its own board
    assert (response.status == 200) is reaches_the_listener
    assert len(boards) == int(reaches_the_listener)


@pytest.mark.parametrize(
    ("origin", "status", "reached"),
    [
        ({"api_app_id": WORKSPACE.slack_app_id, "team": {"id": WORKSPACE.slack_team_id}}, 200, 1),
        ({"api_app_id": "A0OTHER", "team": {"id": WORKSPACE.slack_team_id}}, 403, 0),
        ({"api_app_id": WORKSPACE.slack_app_id, "team": {"id": "T0OTHER"}}, 403, 0),
        ({"team": {"id": WORKSPACE.slack_team_id}}, 403, 0),
    ],
)
def test_a_click_from_another_app_or_workspace_is_refused_before_any_listener(
    origin: dict[str, object], status: int, reached: int
) -> None:
    # Given the app, its Slack unreachable
    boards: list[MessageBoard] = []
    app = unreachable_app(boards)
    payload = block_actions(
        action_id=ACTION_APPROVE,
        approval_id="A" * 22,
        user_id="U0BOB",
        channel_id=fixtures.CHANNEL_ID,
        message_ts="1700000000.000100",
    )
    body = form({k: v for k, v in payload.items() if k != "api_app_id"} | origin)

    # When Slack delivers the click
    headers: dict[str, str | Sequence[str]] = {**signed_headers("unused", body)}
    response = app.dispatch(BoltRequest(body=body, headers=headers))

    # Then only our app's click in our workspace reaches the listener; others are a 403
    assert (response.status, len(boards)) == (status, reached)
    if status == 403:
        assert response.body == '{"error": "unknown app"}'


class NoApprovals(MissingApprovals):
    """The Home tab's source too: nothing pending, nothing decided."""

    def recently_created_final(self, limit: int) -> list[ApprovalRecord]:
        return []


@pytest.mark.parametrize(
    ("request_name", "home_tab", "listener"),
    [
        ("block_actions_channel", True, "message"),
        ("block_actions_home", True, "home"),
        ("block_actions_channel", False, "message"),
        ("block_actions_home", False, "message"),  # no Home tab served: as before, the one listener
    ],
)
def test_each_click_reaches_its_own_listener(
    monkeypatch: pytest.MonkeyPatch, request_name: str, home_tab: bool, listener: str
) -> None:
    # Given the app, each listener's work recorded instead of done
    reached: list[str] = []
    monkeypatch.setattr(app_module, "_on_click", lambda *_: reached.append("message"))
    monkeypatch.setattr(home_module, "_decide", lambda *_: reached.append("home"))

    def decisions(board: MessageBoard) -> DecisionService:
        return DecisionService(NoApprovals(), NoCallbacks(), board, lambda: datetime.now(UTC))

    inbox = Inbox(NoApprovals()) if home_tab else None
    app = build_app(WORKSPACE, lambda: Secret("xoxb-unit-not-real"), decisions, inbox)
    # When Slack delivers the click, exactly as its corpus entry records it
    body = slack_corpus.load(request_name).body()
    headers: dict[str, str | Sequence[str]] = {
        **signed_headers("unused", body),
        "content-type": "application/x-www-form-urlencoded",
    }
    response = app.dispatch(BoltRequest(body=body, headers=headers))

    # Then one listener took it: a Home tab click the Home tab's, a message click the message's
    assert (response.status, reached) == (200, [listener])
