"""The App Home inbox as a pure function of records: who sees what, within Slack's limits."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from greenlight.core.home import (
    DECIDED_SHOWN,
    PENDING_SHOWN,
    concerned,
    decided_for,
    delegated_to,
    home_view,
    pending_for,
)
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import SlackMessage
from greenlight.core.votes import Status, Verdict, Vote
from greenlight.webhook.home import people_to_refresh
from localdev.block_kit import view_problems
from tests.unit.core.test_blocks import AT, crowded, record

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord


def buttons(view: dict[str, object]) -> list[tuple[str, str]]:
    blocks = view["blocks"]
    assert isinstance(blocks, list)
    return [
        (e["action_id"], e["value"])
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def test_pending_lists_only_what_the_person_may_still_decide() -> None:
    # Given one approval bob and carol may decide, one bob already voted on, one decided
    open_one = replace(record(quorum=2), approval_id="a" * 22)
    voted = replace(open_one, approval_id="b" * 22).with_vote(Vote("U0BOB", Verdict.APPROVE, AT))
    decided = replace(record(), approval_id="c" * 22).with_vote(
        Vote("U0CAROL", Verdict.APPROVE, AT)
    )
    records = [open_one, voted, decided]
    # Then bob sees the first only; carol the first two; the requester and an outsider nothing
    assert [r.approval_id for r in pending_for(records, "U0BOB")] == ["a" * 22]
    assert [r.approval_id for r in pending_for(records, "U0CAROL")] == ["a" * 22, "b" * 22]
    assert pending_for(records, "U0ALICE") == []
    assert pending_for(records, "U0EVE") == []


def test_a_delegate_sees_what_a_delegator_may_still_decide_on_requests_that_allow_it() -> None:
    # Given requests bob and carol may decide: one open, one bob voted on, one decided, one
    # that allows no delegates, one dave requested himself
    base = record(quorum=2)
    base = replace(base, policy=replace(base.policy, allow_delegation=True))
    open_one = replace(base, approval_id="a" * 22)
    bob_voted = replace(base, approval_id="b" * 22).with_vote(Vote("U0BOB", Verdict.APPROVE, AT))
    decided = replace(base, approval_id="c" * 22).with_vote(
        Vote("U0CAROL", Verdict.REJECT, AT, "no")
    )
    no_delegates = replace(open_one, approval_id="d" * 22, policy=record().policy)
    by_dave = replace(
        open_one, approval_id="e" * 22, request=replace(base.request, requester_id="U0DAVE")
    )
    records = [open_one, bob_voted, decided, no_delegates, by_dave]
    # Then dave, bob's delegate, sees the open one, for bob
    assert delegated_to(records, "U0DAVE", ["U0BOB"]) == {"a" * 22: "U0BOB"}
    # and, deciding for carol too, the one bob voted on for carol (delegators read once)
    assert delegated_to(records, "U0DAVE", iter(["U0CAROL", "U0BOB"])) == {
        "a" * 22: "U0BOB",
        "b" * 22: "U0CAROL",
    }
    # while carol, an approver in her own right, decides nothing as bob's delegate
    assert delegated_to(records, "U0CAROL", ["U0BOB"]) == {}


def test_decided_lists_what_the_person_took_part_in_or_could_see_newest_first() -> None:
    early = replace(record(), approval_id="a" * 22).with_vote(Vote("U0BOB", Verdict.APPROVE, AT))
    late = replace(
        replace(record(), approval_id="b" * 22).with_vote(
            Vote("U0CAROL", Verdict.REJECT, "2026-11-23T11:00:00+00:00", "no")
        )
    )
    hidden = replace(late, approval_id="c" * 22, policy=ApproverPolicy(frozenset({"U0DAVE"})))
    mine = decided_for([early, late, hidden, record()], "U0BOB")
    assert [r.approval_id for r in mine] == ["b" * 22, "a" * 22]
    assert "U0ALICE" in concerned(late)  # the requester sees how it ended
    assert decided_for([hidden], "U0EVE") == []


def test_the_home_view_has_working_buttons_with_block_ids_unique_in_the_view() -> None:
    first, second = replace(record(), approval_id="a" * 22), replace(record(), approval_id="b" * 22)
    view = home_view([first, second], [])
    assert buttons(view) == [
        ("approve", "a" * 22),
        ("approve_comment", "a" * 22),
        ("reject", "a" * 22),
        ("approve", "b" * 22),
        ("approve_comment", "b" * 22),
        ("reject", "b" * 22),
    ]
    ids = [b["block_id"] for b in view["blocks"] if "block_id" in b]
    assert len(ids) == len(set(ids)) == 2
    assert view_problems(view) == []


def test_a_long_queue_stays_within_slacks_view_limits_and_is_counted() -> None:
    # Given the largest requests, more of them than are shown, and many decided ones
    queue = [replace(crowded(Status.PENDING), approval_id=f"{n:022d}") for n in range(45)]
    done = [
        replace(crowded(s), approval_id=f"d{n:021d}")
        for n in range(20)
        for s in Status
        if s.is_final
    ]
    # When the Home tab is drawn
    view = home_view(queue, done, notice="Your approval is recorded (1 of 2).")
    # Then Slack accepts it; the first PENDING_SHOWN have buttons, the rest are counted
    assert view_problems(view) == []
    assert len(buttons(view)) == 3 * PENDING_SHOWN
    assert any(
        e.get("text") == f"…and {45 - PENDING_SHOWN} more."
        for b in view["blocks"]
        if b["type"] == "context"
        for e in b["elements"]
    )
    decided_rows = [b for b in view["blocks"] if b["type"] == "section"][PENDING_SHOWN:]
    assert len(decided_rows) == DECIDED_SHOWN


def test_an_empty_home_says_so() -> None:
    view = home_view([], [])
    assert buttons(view) == []
    assert view_problems(view) == []


def test_the_relay_redraws_a_bounded_number_of_homes_approvers_first() -> None:
    big = crowded(Status.PENDING)
    people = people_to_refresh(big, 25)
    assert len(people) == 25
    assert set(people) <= big.policy.approver_ids
    small = record()
    assert people_to_refresh(small, 25) == ["U0BOB", "U0CAROL", "U0ALICE"]


def test_a_sensitive_requests_approve_in_the_home_tab_opens_its_confirmation() -> None:
    # Given a sensitive request waiting on bob
    plain = replace(record(), approval_id="a" * 22)
    sensitive = replace(plain, request=replace(plain.request, sensitive=True))
    # Then its Home tab Approve is the message's: `approve_confirm`, never a one-click approve
    view = home_view([sensitive], [])
    assert buttons(view) == [
        ("approve_confirm", "a" * 22),
        ("approve_comment", "a" * 22),
        ("reject", "a" * 22),
    ]
    assert "Sensitive" in str(view["blocks"][1])
    assert view_problems(view) == []


def test_home_links_go_to_the_copy_each_person_can_open() -> None:
    # Given a request posted in a channel and in DMs to bob and carol
    channel = SlackMessage("C0APPROVALS", "1.1")
    bobs, carols = SlackMessage("D0BOB", "2.2", "U0BOB"), SlackMessage("D0CAROL", "3.3", "U0CAROL")
    posted = record().with_message(channel).with_message(bobs).with_message(carols)

    def link(user_id: str | None) -> str:
        return str(home_view([posted], [], user_id=user_id)["blocks"][1])

    # Then bob's and carol's titles open their own DM; anyone else's the channel's copy
    assert "archives/D0BOB/p22" in link("U0BOB")
    assert "archives/D0CAROL/p33" in link("U0CAROL")
    assert "archives/C0APPROVALS/p11" in link("U0DAVE")
    decided = posted.with_vote(Vote("U0BOB", Verdict.APPROVE, AT))
    assert "archives/D0BOB/p22" in str(home_view([], [decided], user_id="U0BOB")["blocks"])


def test_a_quiet_approver_still_finds_the_request_in_their_inbox() -> None:
    # Given a request carol may decide quietly (never mentioned, messaged or reminded)
    quiet = replace(
        record(),
        policy=ApproverPolicy(frozenset({"U0BOB", "U0CAROL"}), quiet_ids=frozenset({"U0CAROL"})),
    )
    assert quiet.to_ping() == ["U0BOB"]
    # Then her Home tab lists it with its buttons, and the relay redraws her Home tab
    assert pending_for([quiet], "U0CAROL") == [quiet]
    assert buttons(home_view(pending_for([quiet], "U0CAROL"), [], user_id="U0CAROL"))
    assert "U0CAROL" in people_to_refresh(quiet, 25)


def delegable(approvers: set[str], quorum: int = 2) -> ApprovalRecord:
    """A pending request of `approvers` that allows delegates, requested by alice."""
    base = record()
    policy = ApproverPolicy(frozenset(approvers), quorum=quorum, allow_delegation=True)
    return replace(base, policy=policy)


def test_a_delegate_who_cast_a_vote_sees_nothing_more_waiting_for_another_delegator() -> None:
    # Given erin, delegate of bob and carol, cast bob's vote on a 2-of-3 of bob, carol and dave
    voted = delegable({"U0BOB", "U0CAROL", "U0DAVE"}).with_vote(
        Vote("U0BOB", Verdict.APPROVE, AT, cast_by="U0ERIN")
    )
    # Then her inbox lists it for nobody (carol's vote is not hers to cast: she voted)
    assert delegated_to([voted], "U0ERIN", ["U0BOB", "U0CAROL"]) == {}
    # while frank, carol's delegate who cast nothing, still sees it, for carol
    assert delegated_to([voted], "U0FRANK", ["U0CAROL"]) == {voted.approval_id: "U0CAROL"}


def test_a_delegate_later_made_an_approver_does_not_see_it_waiting_on_them() -> None:
    # Given erin cast bob's vote as his delegate, then was added as an approver by escalation
    voted = delegable({"U0BOB", "U0CAROL", "U0DAVE"}).with_vote(
        Vote("U0BOB", Verdict.APPROVE, AT, cast_by="U0ERIN")
    )
    escalated = voted.escalated(frozenset({"U0ERIN"}))
    # Then it is not waiting on her, in her inbox nor anywhere the record says who it waits on
    assert pending_for([escalated], "U0ERIN") == []
    assert escalated.waiting_on() == ["U0CAROL", "U0DAVE"]
    assert "U0ERIN" not in escalated.to_ping()
    # and still waits on carol, who cast nothing
    assert pending_for([escalated], "U0CAROL") == [escalated]


def test_the_progress_line_counts_people_as_the_decision_does() -> None:
    # Given a 3-of-4 holding two approvals one delegate cast (stored before one vote per person)
    held = replace(
        delegable({"U0BOB", "U0CAROL", "U0DAVE", "U0FRANK"}, quorum=3),
        votes=(
            Vote("U0BOB", Verdict.APPROVE, AT, cast_by="U0ERIN"),
            Vote("U0CAROL", Verdict.APPROVE, AT, cast_by="U0ERIN"),
        ),
    )
    # Then dave's inbox says one approval of three, as the vote's count says
    text = str(home_view(pending_for([held], "U0DAVE"), [])["blocks"])
    assert "1 of 3 approvals" in text
