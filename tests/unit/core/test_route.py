"""Routes, the record's copies and quiet approvers: pure values, checked at the edge."""

from __future__ import annotations

from typing import Any

import pytest

from greenlight.core import (
    ApprovalRequest,
    ApproverPolicy,
    Channel,
    ChannelAndDirectMessages,
    DirectMessages,
    InvalidRequestError,
    Policy,
    SlackMessage,
    messages,
)
from greenlight.core.blocks import request_blocks, summary_text
from greenlight.core.errors import ApprovalError
from greenlight.core.record import ApprovalRecord
from greenlight.core.route import (
    DIRECT_MESSAGES_MAX,
    RecipientUnreachableError,
    check_direct_reach,
    check_reached,
)
from greenlight.core.votes import Verdict, Vote

REQUEST = ApprovalRequest("Rotate the signing key", "U0ALICE")


def record(policy: ApproverPolicy, **fields: Any) -> ApprovalRecord:
    return ApprovalRecord(
        approval_id="appr-1",
        callback_id="cb-1",
        execution_arn="arn:aws:lambda:eu-west-1:123456789012:function:f/durable-execution/x/y",
        request=REQUEST,
        policy=policy,
        created_at="2026-11-30T12:00:00+00:00",
        expires_at="2026-11-30T13:00:00+00:00",
        ttl=1,
        **fields,
    )


@pytest.mark.parametrize(
    ("route", "channel", "direct"),
    [
        (Channel("C0KEYS"), "C0KEYS", False),
        (DirectMessages(), None, True),
        (ChannelAndDirectMessages("G0KEYS", escalation_channel="C0ONCALL"), "G0KEYS", True),
    ],
)
def test_each_route_says_where_its_main_message_goes_and_whether_dms_follow(
    route: Channel | DirectMessages | ChannelAndDirectMessages, channel: str | None, direct: bool
) -> None:
    assert (route.channel_id, route.direct) == (channel, direct)


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: ChannelAndDirectMessages("U0BOB"), "route"),
        (lambda: ChannelAndDirectMessages("D0BOB"), "route"),  # a DM is not a channel to post to
        (lambda: ChannelAndDirectMessages(""), "route"),
        (lambda: DirectMessages(escalation_channel="#oncall"), "route.escalation_channel"),
        (lambda: DirectMessages(escalation_channel=5), "route.escalation_channel"),  # type: ignore[arg-type]  # on purpose
        (lambda: Channel("C0KEYS", escalation_channel="nope"), "route.escalation_channel"),
    ],
)
def test_a_malformed_route_is_refused_naming_the_field(make: Any, field: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        make()
    assert caught.value.field == field


def test_direct_reach_refuses_no_one_to_message_and_too_many() -> None:
    check_direct_reach(Channel("C0KEYS"), frozenset(), frozenset())  # a channel needs no DMs
    check_direct_reach(ChannelAndDirectMessages("C0KEYS"), frozenset(), frozenset())
    with pytest.raises(InvalidRequestError, match="every one is quiet"):
        check_direct_reach(DirectMessages(), frozenset(), frozenset({"U0FRANK"}))
    many = frozenset(f"U0P{n:03d}" for n in range(DIRECT_MESSAGES_MAX))
    check_direct_reach(DirectMessages(), many, frozenset())
    with pytest.raises(InvalidRequestError, match=f"{DIRECT_MESSAGES_MAX + 1} people"):
        check_direct_reach(DirectMessages(), many, frozenset({"U0FRANK"}))


def test_every_copy_round_trips_through_the_item_recipient_included() -> None:
    # Given a record posted to a channel and two DMs
    main = SlackMessage("C0KEYS", "1.1")
    posted = (
        record(ApproverPolicy(frozenset({"U0BOB", "U0CAROL"})))
        .with_message(main)
        .with_message(SlackMessage("D0BOB", "1.2", "U0BOB"))
        .with_message(SlackMessage("D0CAROL", "1.3", "U0CAROL"))
    )

    # When it is stored and read back
    again = ApprovalRecord.from_item(posted.to_item())

    # Then every copy is there, main first, and the DMs know their readers
    assert again == posted
    assert again.slack == main
    assert [(m.channel, m.recipient) for m in again.posted_as()] == [
        ("C0KEYS", None),
        ("D0BOB", "U0BOB"),
        ("D0CAROL", "U0CAROL"),
    ]
    assert again.dm_recipients() == {"U0BOB", "U0CAROL"}
    assert posted.with_message(SlackMessage("D0BOB", "1.2", "U0BOB")) == posted  # no duplicate
    assert posted.version == 0  # where it was posted decides nothing


def test_a_record_written_before_copies_reads_as_posted_once() -> None:
    # Given an item as version 0.2 wrote it: the main message only, no copies, no quiet ids
    item = record(ApproverPolicy(frozenset({"U0BOB"}))).to_item()
    item["slack"] = {"channel": "C0KEYS", "ts": "1.1"}
    item["policy"].pop("quiet_ids")
    assert "copies" not in item

    old = ApprovalRecord.from_item(item)

    assert old.posted_as() == (SlackMessage("C0KEYS", "1.1"),)
    assert old.policy.quiet_ids == frozenset()
    assert old.to_ping() == ["U0BOB"]
    # A copy appended by a store that knew nothing of the main one still keeps the main first
    item["copies"] = [{"channel": "D0FRANK", "ts": "1.9", "recipient": "U0FRANK"}]
    later = ApprovalRecord.from_item(item)
    assert [m.channel for m in later.posted_as()] == ["C0KEYS", "D0FRANK"]


def test_quiet_approvers_count_towards_the_quorum_and_stay_quiet_inside_a_group() -> None:
    # Given Carol quiet, and also in the approvers' usergroup
    policy = Policy(("S0FINANCE",), quiet_approvers=("U0CAROL", "U0EVE"), quorum=4)
    members = {"S0FINANCE": frozenset({"U0BOB", "U0CAROL", "U0DAVE"})}

    resolved = policy.resolve(REQUEST, members)

    assert resolved.approver_ids == {"U0BOB", "U0CAROL", "U0DAVE", "U0EVE"}
    assert resolved.quiet_ids == {"U0CAROL", "U0EVE"}
    assert ApproverPolicy.from_dict(resolved.to_dict()) == resolved
    assert policy.usergroups == {"S0FINANCE"}
    pending = record(resolved)
    assert pending.waiting_on() == ["U0BOB", "U0CAROL", "U0DAVE", "U0EVE"]
    assert pending.to_ping() == ["U0BOB", "U0DAVE"]


@pytest.mark.parametrize(
    ("quiet", "problem"),
    [
        (("bob",), "policy.quiet_approvers"),
        ((5,), "policy.quiet_approvers"),
        ("U0BOB,U0CAROL", "policy.quiet_approvers"),
    ],
)
def test_malformed_quiet_approvers_are_refused(quiet: Any, problem: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        Policy(("U0BOB",), quiet_approvers=quiet)
    assert caught.value.field == problem


def test_a_quiet_id_must_be_an_approver() -> None:
    with pytest.raises(InvalidRequestError, match="quiet approvers must be approvers"):
        ApproverPolicy(frozenset({"U0BOB"}), quiet_ids=frozenset({"U0CAROL"}))


def test_the_message_and_the_reminder_name_no_quiet_approver() -> None:
    policy = ApproverPolicy(frozenset({"U0BOB", "U0CAROL", "U0DAVE"}), quorum=3)
    quiet = record(ApproverPolicy(policy.approver_ids, quorum=3, quiet_ids=frozenset({"U0DAVE"})))

    shown = str(request_blocks(quiet)) + summary_text(quiet)
    assert "<@U0BOB>" in shown
    assert "<@U0CAROL>" in shown
    assert "U0DAVE" not in shown
    assert "and 1 quiet approver" in shown
    assert "U0DAVE" not in messages.reminder(quiet)
    # Only quiet approvers left: counted, never named
    bob_and_carol = quiet.with_vote(Vote("U0BOB", Verdict.APPROVE, "2026-11-30T12:01:00+00:00"))
    both = bob_and_carol.with_vote(Vote("U0CAROL", Verdict.APPROVE, "2026-11-30T12:02:00+00:00"))
    assert "waiting on 1 quiet approver ·" in str(request_blocks(both))
    assert both.to_ping() == []


def test_the_pending_list_links_each_person_to_a_copy_they_can_open() -> None:
    policy = ApproverPolicy(frozenset({"U0BOB", "U0CAROL"}))
    in_dms = (
        record(policy)
        .with_message(SlackMessage("D0BOB", "1.1", "U0BOB"))
        .with_message(SlackMessage("D0CAROL", "1.2", "U0CAROL"))
    )
    with_channel = record(policy).with_message(SlackMessage("C0KEYS", "1.3"))

    assert "archives/D0CAROL/p12|" in messages.pending_list([in_dms], "U0CAROL")
    assert "archives/D0BOB/p11|" in messages.pending_list([in_dms])  # no one named: the main
    assert "archives/C0KEYS/p13|" in messages.pending_list([with_channel], "U0CAROL")
    assert in_dms.copy_for("U0DAVE") == SlackMessage("D0BOB", "1.1")
    assert record(policy).copy_for("U0BOB") is None


BOB_CAROL = frozenset({"U0BOB", "U0CAROL"})


def test_a_request_stands_while_those_reached_can_meet_its_quorum() -> None:
    # Carol could not be messaged, Bob was: one of them decides
    check_reached(DirectMessages(), True, BOB_CAROL, 1, {"U0CAROL": "user_disabled"})
    check_reached(ChannelAndDirectMessages("C0KEYS"), True, BOB_CAROL, 1, {"U0CAROL": "x"})
    check_reached(DirectMessages(), True, BOB_CAROL, 2, {})  # everyone reached


@pytest.mark.parametrize(
    ("route", "posted", "quorum", "unreachable", "problem"),
    [
        # two of two, Carol deactivated: only one left who can decide
        (
            DirectMessages(),
            True,
            2,
            {"U0CAROL": "user_disabled"},
            "needs 2 approvers but only 1 can be reached; "
            "Slack refused direct messages to U0CAROL (user_disabled)",
        ),
        # the channel's copy does not help someone whose account is gone
        (
            ChannelAndDirectMessages("C0KEYS"),
            True,
            2,
            {"U0CAROL": "user_not_found"},
            "only 1 can be reached",
        ),
        # no one could be messaged on a route of direct messages only
        (
            DirectMessages(),
            False,
            1,
            {"U0BOB": "user_disabled", "U0CAROL": "user_not_visible"},
            "no direct messages could be sent: U0BOB (user_disabled), U0CAROL (user_not_visible)",
        ),
    ],
)
def test_a_request_those_reached_cannot_decide_is_refused_naming_them(
    route: Any, posted: bool, quorum: int, unreachable: dict[str, str], problem: str
) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        check_reached(route, posted, BOB_CAROL, quorum, unreachable)
    assert refused.value.field == "route"
    assert problem in refused.value.problem


def test_an_unreachable_recipient_is_a_domain_error_naming_who_and_why() -> None:
    error = RecipientUnreachableError("U0CAROL", "user_disabled")
    assert isinstance(error, ApprovalError)  # the steps' retry strategy never retries it
    assert (error.user_id, error.code) == ("U0CAROL", "user_disabled")
    assert str(error) == "U0CAROL cannot be sent a direct message (user_disabled)"
