"""Block Kit rendering and the button contract."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from greenlight.core import messages
from greenlight.core.blocks import (
    MENTIONS_SHOWN,
    escape,
    mentions,
    reject_modal,
    request_blocks,
    shorten,
    summary_text,
)
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord, SlackMessage
from greenlight.core.request import (
    MAX_DESCRIPTION,
    MAX_FIELD_TEXT,
    MAX_FIELDS,
    MAX_LINK_LABEL,
    MAX_LINKS,
    MAX_TITLE,
    MAX_URL,
    Amount,
    ApprovalRequest,
    Link,
)
from greenlight.core.votes import MAX_REASON, Status, Verdict, Vote
from localdev.block_kit import message_problems, text_problems, view_problems

AT = "2026-11-22T12:00:00+00:00"


def record(quorum: int = 1, title: str = "Order ord-1") -> ApprovalRecord:
    return ApprovalRecord(
        approval_id="A" * 22,
        callback_id="never-in-slack",
        execution_arn="arn",
        request=ApprovalRequest(
            title,
            "U0ALICE",
            fields=(("Customer", "<@U0EVIL> & co"),),
            amount=Amount(125_000, "EUR"),
            reference="ord-1",
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
    assert [(e["action_id"], e["value"], e.get("style")) for e in actions["elements"]] == [
        ("approve", "A" * 22, "primary"),
        ("approve_comment", "A" * 22, None),
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


@pytest.mark.parametrize(
    "reason",
    ["the request could not be posted", "the approval could not be followed up"],
)
def test_a_withdrawn_request_says_why_it_was_withdrawn_not_that_time_ran_out(reason: str) -> None:
    withdrawn = record().expired(AT, reason)

    verdict = request_blocks(withdrawn)[-1]["text"]["text"]

    assert verdict.startswith(":hourglass: *Expired*")
    assert reason in verdict
    assert "no decision in time" not in verdict


def test_a_request_that_timed_out_says_no_decision_in_time() -> None:
    verdict = request_blocks(record().expired(AT))[-1]["text"]["text"]

    assert verdict.endswith(": no decision in time")


def test_an_expiry_reason_is_escaped_and_kept_to_one_line() -> None:
    withdrawn = record().expired(AT, "the <!channel> store\nfailed")

    verdict = request_blocks(withdrawn)[-1]["text"]["text"]

    assert "&lt;!channel&gt; store failed" in verdict
    assert "\n" not in verdict


def test_reject_modal_carries_the_approval_id_in_private_metadata() -> None:
    view = reject_modal("A" * 22, "Order ord-1")

    assert (view["callback_id"], view["private_metadata"]) == ("reject_reason", "A" * 22)
    assert view["blocks"][-1]["block_id"] == "reason"


def test_escape_covers_the_three_control_characters() -> None:
    assert escape("<a&b>") == "&lt;a&amp;b&gt;"


# What Slack accepts: every payload we render, checked with slack_sdk's models plus the
# documented limits they skip (localdev.block_kit names each source), at its largest.

LONGEST_ID = "U" + "9" * 20  # the longest user id `is_slack_user_id` allows
WORST = "&<>"  # each becomes 4-5 characters once escaped for mrkdwn


def largest_request() -> ApprovalRequest:
    """Everything at the most `ApprovalRequest` allows, in the characters that grow most."""
    fields = tuple((f"{i}" + WORST * 20, (WORST * 47)[:139]) for i in range(MAX_FIELDS))
    assert all(len(k) + len(v) == MAX_FIELD_TEXT for k, v in fields)
    links = tuple(
        Link((WORST * 25)[:MAX_LINK_LABEL], "https://example.com/" + "p" * (MAX_URL - 20))
        for _ in range(MAX_LINKS)
    )
    return ApprovalRequest(
        WORST * (MAX_TITLE // 3),
        LONGEST_ID,
        description=(WORST + "*b* ") * (MAX_DESCRIPTION // 7),
        fields=fields,
        links=links,
        amount=Amount(10**40, "EUR"),
        reference="r" * 128,
    )


def crowded(status: Status, *, approvers: int = 400, escalated: int = 60) -> ApprovalRecord:
    """The largest request, waiting on a usergroup of hundreds, escalated to dozens more."""
    people = frozenset(f"U{i:020d}" for i in range(approvers))
    extra = frozenset(f"W{i:020d}" for i in range(escalated))
    base = ApprovalRecord(
        approval_id="A" * 22,
        callback_id="never-in-slack",
        execution_arn="arn",
        request=largest_request(),
        policy=ApproverPolicy(people, quorum=2).escalated_to(extra),
        created_at=AT,
        expires_at="2026-11-23T12:00:00+00:00",
        ttl=0,
        slack=SlackMessage("C0APPROVALS", "1700000000.000100"),
    ).with_vote(Vote("U" + "0" * 20, Verdict.APPROVE, AT))
    if status is Status.APPROVED:
        return base.with_vote(Vote(f"U{1:020d}", Verdict.APPROVE, AT))
    if status is Status.REJECTED:  # a 3,000-character reason, past what a vote may carry
        rejected = base.overridden(Status.REJECTED, "operator " + WORST * 30, "x", AT)
        return replace(rejected, reason=(WORST * 1000 + "\n") * 3)
    if status is Status.EXPIRED:
        return base.expired(AT)
    return base


@pytest.mark.parametrize("status", list(Status))
def test_the_largest_request_renders_as_slack_accepts_it(status: Status) -> None:
    record = crowded(status)

    blocks = request_blocks(record)

    assert message_problems(blocks) == []
    assert text_problems(summary_text(record)) == []


@pytest.mark.parametrize("status", list(Status))
def test_an_ordinary_request_renders_as_slack_accepts_it(status: Status) -> None:
    record = crowded(status, approvers=3, escalated=0)

    assert message_problems(request_blocks(record)) == []


def test_all_ten_fields_are_shown_though_a_section_holds_ten() -> None:
    record = crowded(Status.PENDING)

    sections = [b for b in request_blocks(record) if "fields" in b]

    labels = [f["text"].split("\n")[0] for s in sections for f in s["fields"]]
    assert len(labels) == 2 + MAX_FIELDS
    assert labels[-1].startswith(f"*{MAX_FIELDS - 1}&amp;&lt;&gt;")


def test_hundreds_of_approvers_are_named_up_to_a_few_and_the_rest_counted() -> None:
    record = crowded(Status.PENDING)

    context = next(b for b in request_blocks(record) if b["type"] == "context")

    text = context["elements"][0]["text"]
    assert f"waiting on {mentions(record.waiting_on()[:MENTIONS_SHOWN])} and " in text
    assert f"and {len(record.waiting_on()) - MENTIONS_SHOWN} more" in text
    assert "escalated to" in text
    assert f"and {60 - MENTIONS_SHOWN} more" in text


def test_a_reason_too_long_for_slack_is_cut_with_an_ellipsis_every_line_quoted() -> None:
    record = crowded(Status.REJECTED)

    verdict = request_blocks(record)[-1]["text"]["text"]

    assert len(verdict) <= 3000
    assert verdict.endswith("…")
    assert all(line.startswith(">") for line in verdict.split("\n")[1:])


def test_the_reject_modal_for_the_longest_title_is_a_valid_view() -> None:
    view = reject_modal("A" * 22, largest_request().title)

    assert view_problems(view) == []
    assert view["blocks"][-1]["element"]["max_length"] == MAX_REASON


def test_every_ephemeral_and_thread_text_fits_one_message() -> None:
    record = crowded(Status.PENDING)
    decided = crowded(Status.APPROVED)
    queue = [
        replace(crowded(Status.PENDING, approvers=3), approval_id=f"{i:022d}") for i in range(300)
    ]

    texts = [
        summary_text(record),
        messages.already_decided(decided),
        messages.already_decided(crowded(Status.EXPIRED)),
        messages.not_authorized(WORST * 2000),
        messages.invalid(WORST * 2000),
        messages.not_found(),
        messages.vote_counted(record),
        messages.reminder(record),
        messages.escalation(record),
        messages.pending_list([]),
        messages.pending_list(queue),
    ]

    assert [t for t in texts if text_problems(t) or not t] == []


def test_a_long_pending_list_counts_what_it_cannot_show() -> None:
    queue = [
        replace(crowded(Status.PENDING, approvers=3), approval_id=f"{i:022d}") for i in range(300)
    ]

    answer = messages.pending_list(queue)

    shown = answer.count("\n• ")
    assert 0 < shown < 300
    assert answer.endswith(f"…and {300 - shown} more.")


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("abcdefghij", 5, "abcd…"),
        ("ab &amp; cd", 7, "ab …"),  # never half an entity
        ("see <@U0BOB> now", 10, "see …"),  # never half a mention
        ("x <https://e.invalid|link> y", 27, "x <https://e.invalid|link>…"),
    ],
)
def test_shorten_cuts_to_the_limit_without_splitting_markup(
    text: str, limit: int, expected: str
) -> None:
    assert shorten(text, limit) == expected
    assert len(shorten(text, limit)) <= limit


@pytest.mark.parametrize(
    "title",
    ["R&D budget " + "x" * 200, "Budget a<b " + "y" * 200],
)
def test_a_long_plain_text_header_is_cut_at_the_limit_not_at_a_raw_ampersand_or_bracket(
    title: str,
) -> None:
    # Plain text has no entities or links: "&" and "<" are characters (found in review: the
    # mrkdwn-safe cut left "R…")
    cut = shorten(title, 150, mrkdwn=False)

    assert len(cut) == 150
    assert cut == title[:149] + "…"


def test_description_links_and_amount_are_shown_when_present() -> None:
    # Given a request with an mrkdwn description, two links and an amount
    request = ApprovalRequest(
        "Deploy api v2.3",
        "U0ALICE",
        description="*3 commits* since <https://example.com/v2.2|v2.2>",
        links=(
            Link("Diff", "https://example.com/diff"),
            Link("Runbook <@U0EVIL>", "https://example.com/run"),
        ),
        amount=Amount(125_000, "EUR"),
    )
    record = replace(crowded(Status.PENDING, approvers=3, escalated=0), request=request)

    blocks = request_blocks(record)
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]

    # Then the description keeps its markup, links are links, and labels cannot forge mentions
    assert texts[0] == "*3 commits* since <https://example.com/v2.2|v2.2>"
    assert texts[1] == (
        "<https://example.com/diff|Diff> · <https://example.com/run|Runbook &lt;@U0EVIL&gt;>"
    )
    fields = [f["text"] for b in blocks if "fields" in b for f in b["fields"]]
    assert fields[0] == "*Amount*\n1,250.00 EUR"
    assert summary_text(record) == "Approval needed: Deploy api v2.3 (1,250.00 EUR)"
    assert message_problems(blocks) == []


def test_a_request_without_amount_shows_no_amount() -> None:
    request = ApprovalRequest("Delete the staging cluster", "U0ALICE")
    record = replace(crowded(Status.PENDING, approvers=3, escalated=0), request=request)

    blocks = request_blocks(record)

    assert "Amount" not in json.dumps(blocks)
    assert summary_text(record) == "Approval needed: Delete the staging cluster"
    assert [b["type"] for b in blocks] == ["header", "section", "context", "actions"]
    assert message_problems(blocks) == []
