"""The shipped Slack, directory, clock and ids: they stand in for the ports and record what a
user's test asserts on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from greenlight.core.blocks import request_blocks
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord, SlackMessage
from greenlight.core.request import Amount, ApprovalRequest
from greenlight.core.route import Channel
from greenlight.testing import (
    InMemoryDirectory,
    InMemorySlack,
    Notice,
    Reply,
    SequentialIds,
    SettableClock,
    SlackUnavailableError,
    UnknownUsergroupError,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from greenlight.gate.ports import ApprovalNotifier, Directory
    from greenlight.webhook.ports import MessageBoard

START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
ROUTE = Channel("C0DEPLOYS")


def record() -> ApprovalRecord:
    return ApprovalRecord(
        approval_id="approval00000000000001",
        callback_id="cb-1",
        execution_arn="arn:exec",
        request=ApprovalRequest(
            "Order ord-1", "U0ALICE", amount=Amount(125_000, "EUR"), reference="ord-1"
        ),
        policy=ApproverPolicy(frozenset({"U0BOB"})),
        created_at=START.isoformat(),
        expires_at=(START + timedelta(days=1)).isoformat(),
        ttl=1_800_000_000,
    )


def test_slack_records_posts_with_what_people_would_see_and_numbers_the_messages() -> None:
    slack = InMemorySlack()
    notifier: ApprovalNotifier = slack
    board: MessageBoard = slack

    first = notifier.post_request(record(), ROUTE)
    second = notifier.post_request(record(), ROUTE)
    notifier.update_request(record())
    board.redraw_copy(record(), first)

    assert (first, second) == (
        SlackMessage("C0DEPLOYS", "1700000000.000001"),
        SlackMessage("C0DEPLOYS", "1700000000.000002"),
    )
    assert slack.posts[0].blocks == request_blocks(record())
    assert "Order ord-1" in slack.posts[0].text
    assert slack.redraws == [record(), record()]


def test_slack_records_thread_replies_direct_notices_and_announcements() -> None:
    slack = InMemorySlack()
    thread = slack.post_request(record(), ROUTE)

    slack.reply(thread, "Reminder")
    slack.notify("U0ALICE", "Approved", thread)
    slack.notify("U0ALICE", "No thread", None)
    slack.announce("C0ESCALATE", "Escalated")

    assert slack.replies == [Reply(thread, "Reminder")]
    assert slack.notices == [
        Notice("U0ALICE", "Approved", thread),
        Notice("U0ALICE", "No thread", None),
    ]
    assert [(a.channel, a.text) for a in slack.announcements] == [("C0ESCALATE", "Escalated")]


def test_slack_fails_the_posts_it_is_told_to_fail_then_posts_again() -> None:
    slack = InMemorySlack(fail_posts=1)

    with pytest.raises(SlackUnavailableError):
        slack.post_request(record(), ROUTE)
    slack.post_request(record(), ROUTE)

    assert (slack.fail_posts, len(slack.posts)) == (0, 1)


def test_the_directory_answers_its_groups_counts_lookups_and_refuses_unknown_ones() -> None:
    directory = InMemoryDirectory({"S0FINANCE": frozenset({"U0BOB", "U0CAROL"})})
    port: Directory = directory

    assert port.members("S0FINANCE") == {"U0BOB", "U0CAROL"}
    with pytest.raises(UnknownUsergroupError, match="S0NOPE"):
        port.members("S0NOPE")
    assert directory.lookups == 2


def test_the_clock_stands_still_moves_when_told_and_steps_per_reading() -> None:
    clock = SettableClock(START)
    read: Callable[[], datetime] = clock
    assert (read(), read()) == (START, START)

    clock.advance(90)
    assert read() == START + timedelta(seconds=90)
    clock.set(START + timedelta(days=1))
    assert clock.now == START + timedelta(days=1)

    stepping = SettableClock(START, step=timedelta(seconds=1))
    assert [stepping(), stepping()] == [START, START + timedelta(seconds=1)]


def test_the_clock_refuses_a_time_without_a_zone() -> None:
    with pytest.raises(ValueError, match="timezone"):
        SettableClock(datetime(2026, 11, 22, 12, 0))  # the mistake under test
    with pytest.raises(ValueError, match="timezone"):
        SettableClock().set(datetime(2026, 11, 22, 12, 0))  # the mistake under test


def test_ids_are_sequential_unique_and_as_long_as_real_ones() -> None:
    new_id = SequentialIds()

    ids = [new_id() for _ in range(3)]

    assert ids == ["approval00000000000001", "approval00000000000002", "approval00000000000003"]
    assert {len(i) for i in ids} == {22}
