"""The relay's Home tab refresh: bounded by the time the relay gives Slack."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from greenlight.webhook.home import HomeBoard, HomeRefresher, Inbox, people_to_refresh
from tests.unit.webhook.test_approval_metrics import pending

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord


class Pending:
    """The approvals table as the Home tab reads it: `record` pending, nothing decided."""

    def __init__(self, record: ApprovalRecord) -> None:
        self.record = record

    def pending(self) -> list[ApprovalRecord]:
        return [self.record]

    def recently_created_final(self, limit: int) -> list[ApprovalRecord]:
        return []


class SlowBoard(HomeBoard):
    """views.publish taking `seconds` each (Slack slow, not down)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.published: list[str] = []

    def publish(self, user_id: str, view: dict[str, Any]) -> bool:
        time.sleep(self.seconds)
        self.published.append(user_id)
        return True


def test_every_concerned_person_is_published_when_there_is_time() -> None:
    record = pending(quorum=1)
    board = SlowBoard(0)

    published = HomeRefresher(Inbox(Pending(record)), board).refresh(record)

    assert board.published == people_to_refresh(record, 25)
    assert published == len(board.published) >= 2


def test_no_tab_is_published_once_the_relays_time_for_slack_is_up() -> None:
    record = pending(quorum=1)
    board = SlowBoard(0.2)
    refresher = HomeRefresher(Inbox(Pending(record)), board)

    nothing = refresher.refresh(record, until=time.monotonic())
    some = refresher.refresh(record, until=time.monotonic() + 0.1)

    assert nothing == 0
    assert some == 1  # the one begun before the time was up: a Slack call is not cut short
    assert len(board.published) == 1
