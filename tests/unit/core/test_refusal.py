"""A request Greenlight itself rejects (too few of its approvers can be reached): one story.

The record, the message, what a late click is told, the App Home and the workflow's `Decision`
all say the same thing: rejected, automatically (by no person), and why. The audit's line for
it is `refused` (tests/unit/gate/test_unreachable_approvers.py, tests/integration/
test_refusal_one_story.py run it end to end).
"""

from __future__ import annotations

import json
from dataclasses import replace

from greenlight.core import messages
from greenlight.core.blocks import request_blocks, summary_text
from greenlight.core.home import home_view
from greenlight.core.outcome import Decision
from greenlight.core.record import ApprovalRecord, SlackMessage
from greenlight.core.votes import Status, Verdict, Vote
from tests.unit.core.test_record_and_outcome import pending

AT = "2026-11-22T12:00:05+00:00"
WHY = (
    "needs 2 approvers but only 1 can be reached; "
    "Slack refused direct messages to U0OSCAR (user_disabled)"
)


def refused() -> ApprovalRecord:
    return pending().refused(AT, WHY)


def text_of(record: ApprovalRecord) -> str:
    return json.dumps(request_blocks(record))


def test_a_refused_record_is_rejected_by_no_one_with_its_reason_and_time() -> None:
    before = pending()
    after = before.refused(AT, WHY)

    assert (after.status, after.decided_by, after.reason, after.decided_at) == (
        Status.REJECTED,
        (),
        WHY,
        AT,
    )
    assert after.version == before.version + 1  # a state change, conditional like every other
    assert after.is_refused


def test_a_decided_record_is_not_refused_after_the_fact() -> None:
    decided = pending().with_vote(Vote("U0BOB", Verdict.APPROVE, AT))

    assert decided.refused(AT, WHY) == decided
    assert not decided.is_refused


def test_a_persons_rejection_and_an_expiry_are_not_refusals() -> None:
    rejected = pending().with_vote(Vote("U0BOB", Verdict.REJECT, AT, "not now"))
    expired = pending().expired(AT)

    assert not rejected.is_refused
    assert not expired.is_refused


def test_a_refused_record_reads_back_refused_from_its_item() -> None:
    assert ApprovalRecord.from_item(refused().to_item()).is_refused


def test_a_record_refused_by_an_older_release_still_reads_as_it_was_stored() -> None:
    # Given a record an earlier release closed as expired, with the refusal as its reason
    old = replace(pending(), status=Status.EXPIRED, decided_at=AT, reason=WHY, version=1)

    # Then it reads as stored: expired, with its reason (nothing is reinterpreted)
    record = ApprovalRecord.from_item(old.to_item())
    assert (record.status, record.reason, record.is_refused) == (Status.EXPIRED, WHY, False)


def test_the_decision_of_a_refused_record_is_rejected_automatically_with_why_and_when() -> None:
    decision = Decision.from_record(refused())

    assert (decision.status, decision.automatic, decision.reason, decision.decided_at) == (
        Status.REJECTED,
        True,
        WHY,
        AT,
    )
    assert decision.deciders == ()
    assert not Decision.from_record(
        pending().with_vote(Vote("U0BOB", Verdict.REJECT, AT, "not now"))
    ).automatic


def test_the_message_says_rejected_automatically_and_why_with_no_buttons() -> None:
    record = refused()

    drawn = text_of(record)
    assert "*Rejected* automatically" in drawn
    assert "U0OSCAR (user_disabled)" in drawn
    assert "by ·" not in drawn  # no empty "by" for a decision no person made
    assert '"actions"' not in drawn
    assert summary_text(record).endswith(" - rejected")


def test_a_click_on_a_refused_request_is_told_it_was_rejected_automatically() -> None:
    told = messages.already_decided(refused())

    assert told.startswith("Already rejected automatically")
    assert "someone" not in told


def test_the_app_home_lists_a_refused_request_as_rejected_automatically() -> None:
    record = refused().with_message(SlackMessage("D0BOB", "1700000000.000002", "U0BOB"))

    view = json.dumps(home_view([], [record], user_id="U0BOB"))

    assert "Rejected automatically" in view
