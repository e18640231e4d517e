"""Approve with a comment and sensitive requests in the pure core: the vote, the request, the
write's condition, what the message and the modals show, and that older data still reads."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from greenlight.core.approve_views import approve_modal
from greenlight.core.blocks import request_blocks
from greenlight.core.conditional_write import Missing
from greenlight.core.errors import InvalidRequestError
from greenlight.core.outcome import decision_from_success
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord
from greenlight.core.request import ApprovalRequest
from greenlight.core.vote_audit import vote_lines
from greenlight.core.vote_write import SENSITIVE, VoteWrite, vote_update
from greenlight.core.votes import MAX_COMMENT, Status, Verdict, Vote
from localdev.block_kit import message_problems, view_problems

AT = "2026-11-22T12:00:00+00:00"


def record(*, sensitive: bool = False, quorum: int = 1) -> ApprovalRecord:
    return ApprovalRecord(
        approval_id="A" * 22,
        callback_id="never-in-slack",
        execution_arn="arn",
        request=ApprovalRequest("Rotate the root keys", "U0ALICE", sensitive=sensitive),
        policy=ApproverPolicy(frozenset({"U0BOB", "U0CAROL"}), quorum=quorum),
        created_at=AT,
        expires_at="2026-11-23T12:00:00+00:00",
        ttl=0,
    )


@pytest.mark.parametrize(
    ("verdict", "reason", "comment", "problem"),
    [
        (Verdict.REJECT, "no", "also this", "only an approval carries a comment"),
        (Verdict.APPROVE, None, "   ", f"1 to {MAX_COMMENT} characters"),
        (Verdict.APPROVE, None, "x" * (MAX_COMMENT + 1), f"1 to {MAX_COMMENT} characters"),
    ],
)
def test_a_bad_comment_is_refused_by_name(
    verdict: Verdict, reason: str | None, comment: str, problem: str
) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        Vote("U0BOB", verdict, AT, reason, comment=comment)
    assert (refused.value.field, refused.value.problem) == ("comment", problem)


def test_a_comment_at_the_limit_is_kept() -> None:
    assert Vote("U0BOB", Verdict.APPROVE, AT, comment="x" * MAX_COMMENT).comment == "x" * 500


def test_sensitive_is_stored_only_when_set_and_older_requests_read_as_not_sensitive() -> None:
    plain = ApprovalRequest("Title", "U0ALICE")
    marked = ApprovalRequest("Title", "U0ALICE", sensitive=True)

    assert "sensitive" not in plain.to_dict()
    assert marked.to_dict()["sensitive"] is True
    assert ApprovalRequest.from_dict(marked.to_dict()) == marked
    assert ApprovalRequest.from_dict({"title": "T", "requester_id": "U0ALICE"}).sensitive is False
    with pytest.raises(InvalidRequestError) as refused:
        ApprovalRequest("Title", "U0ALICE", sensitive="yes")  # type: ignore[arg-type]  # a bad input
    assert refused.value.field == "sensitive"


@pytest.mark.parametrize("write", list(VoteWrite))
def test_only_an_unconfirmed_approve_is_conditional_on_the_request_not_being_sensitive(
    write: VoteWrite,
) -> None:
    one_click = vote_update(Vote("U0BOB", Verdict.APPROVE, AT), write)
    confirmed = vote_update(Vote("U0BOB", Verdict.APPROVE, AT, confirmed=True), write)
    reject = vote_update(Vote("U0BOB", Verdict.REJECT, AT, "no"), write)

    assert Missing(SENSITIVE) in one_click.conditions
    assert Missing(SENSITIVE) not in confirmed.conditions
    assert Missing(SENSITIVE) not in reject.conditions
    # the condition holds on an ordinary record's item and fails on a sensitive one's
    assert one_click.holds(record().to_item()) is (write is VoteWrite.DECIDING)
    assert not one_click.holds(record(sensitive=True).to_item())
    assert confirmed.holds(record(sensitive=True).to_item()) is (write is VoteWrite.DECIDING)


def test_the_comment_is_written_with_the_vote_and_read_back() -> None:
    vote = Vote("U0BOB", Verdict.APPROVE, AT, comment="ok by me", confirmed=True)
    update = vote_update(vote, VoteWrite.DECIDING)
    after = update.apply(record().to_item(), {"approval_id": "A" * 22})
    assert after is not None

    stored = ApprovalRecord.from_item(after)

    assert after["votes"]["U0BOB"] == {"decision": "approve", "at": AT, "comment": "ok by me"}
    assert (stored.status, stored.vote_of("U0BOB")) == (Status.APPROVED, vote)


def test_votes_and_payloads_written_before_comments_still_read() -> None:
    item = record().to_item() | {"votes": {"U0BOB": {"decision": "approve", "at": AT}}}
    old_payload = {
        "decision": "approved",
        "approval_id": "A" * 22,
        "approvers": [{"user_id": "U0BOB", "at": AT}],
        "version": 2,
        "votes": [{"user_id": "U0BOB", "verdict": "approve", "at": AT}],
    }

    assert ApprovalRecord.from_item(item).vote_of("U0BOB") == Vote("U0BOB", Verdict.APPROVE, AT)
    assert decision_from_success(old_payload).votes == (Vote("U0BOB", Verdict.APPROVE, AT),)


def test_an_approval_comment_is_the_reason_of_its_audit_line() -> None:
    before = record()
    after = before.with_vote(Vote("U0BOB", Verdict.APPROVE, AT, comment="checked"))

    voted, approved = vote_lines(before, after)

    assert (voted.actor, voted.reason, voted.detail) == ("U0BOB", "checked", "approve")
    assert approved.reason is None


def test_a_pending_message_offers_approve_with_comment() -> None:
    blocks = request_blocks(record())

    (actions,) = [b for b in blocks if b["type"] == "actions"]
    assert [(e["action_id"], e["text"]["text"]) for e in actions["elements"]] == [
        ("approve", "Approve"),
        ("approve_comment", "Approve with comment"),
        ("reject", "Reject"),
    ]
    assert "Sensitive" not in json.dumps(blocks)
    assert message_problems(blocks) == []


def test_a_sensitive_request_warns_and_its_approve_opens_the_confirmation() -> None:
    blocks = request_blocks(record(sensitive=True))

    assert ":warning: *Sensitive request*" in blocks[1]["text"]["text"]  # under the title
    (actions,) = [b for b in blocks if b["type"] == "actions"]
    assert [e["action_id"] for e in actions["elements"]] == [
        "approve_confirm",
        "approve_comment",
        "reject",
    ]
    assert message_problems(blocks) == []


def test_comments_show_in_the_message_escaped_and_within_block_kit() -> None:
    # Given a 2-of-2 request approved by Bob with a long, hostile comment, then by Carol
    pending = record(quorum=2).with_vote(
        Vote("U0BOB", Verdict.APPROVE, AT, comment="<@U0EVE> & <!channel> " + "x" * 470)
    )
    decided = pending.with_vote(Vote("U0CAROL", Verdict.APPROVE, AT))

    for shown in (pending, decided):
        text = json.dumps(request_blocks(shown))
        assert ":speech_balloon: <@U0BOB>: &lt;@U0EVE&gt; &amp; &lt;!channel&gt;" in text
        assert "<@U0EVE>" not in text
        assert "<!channel>" not in text
        assert message_problems(request_blocks(shown)) == []
    assert "U0CAROL>:" not in json.dumps(request_blocks(decided))


@pytest.mark.parametrize(
    ("sensitive", "with_comment", "callback_id", "optional"),
    [
        (False, True, "approve_comment", False),
        (True, True, "approve_comment", False),
        (True, False, "approve_confirm", True),
    ],
)
def test_the_approve_modals(
    sensitive: bool, with_comment: bool, callback_id: str, optional: bool
) -> None:
    shown = record(sensitive=sensitive)
    shown = replace(shown, request=replace(shown.request, title="T" * 150))

    view = approve_modal(shown, with_comment=with_comment)

    assert (view["callback_id"], view["private_metadata"]) == (callback_id, "A" * 22)
    (field,) = [b for b in view["blocks"] if b["type"] == "input"]
    assert (field["block_id"], field["element"]["action_id"]) == ("comment", "comment")
    assert (field["optional"], field["element"]["max_length"]) == (optional, MAX_COMMENT)
    assert ("Sensitive request" in json.dumps(view)) is sensitive
    assert "never-in-slack" not in json.dumps(view)
    assert view_problems(view) == []
