"""Block Kit rendering and the button contract."""

from __future__ import annotations

import json

import pytest

from approvals.blocks import escape, reject_modal, request_blocks
from approvals.buttons import new_approval_id, parse_approval_id
from approvals.errors import InvalidRequestError
from approvals.policy import ApproverPolicy
from approvals.record import ApprovalRecord
from approvals.request import ApprovalRequest
from approvals.votes import Verdict, Vote

AT = "2026-11-22T12:00:00+00:00"


def record(quorum: int = 1, title: str = "Order ord-1") -> ApprovalRecord:
    return ApprovalRecord(
        approval_id="A" * 22,
        callback_id="never-in-slack",
        execution_arn="arn",
        request=ApprovalRequest(
            "ord-1", title, "U0ALICE", 125_000, "EUR", (("Customer", "<@U0EVIL> & co"),)
        ),
        policy=ApproverPolicy(frozenset({"U0BOB", "U0CAROL"}), quorum=quorum),
        created_at=AT,
        expires_at="2026-11-23T12:00:00+00:00",
        ttl=0,
    )


def test_pending_message_has_buttons_that_carry_only_the_approval_id() -> None:
    blocks = request_blocks(record())

    (actions,) = [b for b in blocks if b["type"] == "actions"]
    assert actions["block_id"] == "decision"
    assert [(e["action_id"], e["value"], e["style"]) for e in actions["elements"]] == [
        ("approve", "A" * 22, "primary"),
        ("reject", "A" * 22, "danger"),
    ]
    assert "never-in-slack" not in json.dumps(blocks)


def test_user_text_cannot_forge_mentions() -> None:
    text = json.dumps(request_blocks(record()))

    assert "<@U0EVIL>" not in text
    assert "&lt;@U0EVIL&gt; &amp; co" in text


def test_progress_names_who_approved_and_who_is_still_needed() -> None:
    partly = record(quorum=2).with_vote(Vote("U0BOB", Verdict.APPROVE, AT))

    context = next(b for b in request_blocks(partly) if b["type"] == "context")

    assert context["elements"][0]["text"].startswith(
        "1 of 2 approvals: <@U0BOB> · waiting on <@U0CAROL>"
    )


def test_decided_message_drops_the_buttons_and_says_who_and_why() -> None:
    rejected = record().with_vote(Vote("U0CAROL", Verdict.REJECT, AT, "no <budget>"))

    blocks = request_blocks(rejected)

    assert all(b["type"] != "actions" for b in blocks)
    assert ":x: *Rejected* by <@U0CAROL>" in blocks[-1]["text"]["text"]
    assert "no &lt;budget&gt;" in blocks[-1]["text"]["text"]


def test_reject_modal_carries_the_approval_id_in_private_metadata() -> None:
    view = reject_modal("A" * 22, "Order ord-1")

    assert (view["callback_id"], view["private_metadata"]) == ("reject_reason", "A" * 22)
    assert view["blocks"][-1]["block_id"] == "reason"


def test_new_ids_have_128_random_bits_and_parse_back() -> None:
    ids = {new_approval_id() for _ in range(1000)}

    assert len(ids) == 1000
    assert all(parse_approval_id(i) == i for i in ids)


@pytest.mark.parametrize(
    "value", [None, "", "short", "x" * 23, "../../etc/passwd....", 42, "a" * 21 + "!"]
)
def test_anything_else_is_not_an_approval_id(value: object) -> None:
    with pytest.raises(InvalidRequestError):
        parse_approval_id(value)


def test_escape_covers_the_three_control_characters() -> None:
    assert escape("<a&b>") == "&lt;a&amp;b&gt;"
