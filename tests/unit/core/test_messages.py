"""What a refused clicker is told: people as mentions, what anyone typed escaped."""

from __future__ import annotations

import json
from dataclasses import replace

from greenlight.core import messages
from greenlight.core.blocks import request_blocks
from greenlight.core.errors import AlreadyVotedError
from greenlight.core.policy import ApproverPolicy
from greenlight.core.votes import Status, Verdict, Vote
from tests.unit.core.test_blocks import record as stored


def test_a_second_vote_is_refused_naming_the_person_voted_for_as_a_mention() -> None:
    # Given carol's refusal: she cast bob's vote as his delegate
    refused = AlreadyVotedError("a" * 22, "U0CAROL", "U0BOB")

    # Then she is told so, with bob mentioned as Slack shows people (<@U…>)
    assert messages.already_voted(refused.voted_for) == (
        "You can't decide this request: you already voted (for <@U0BOB>, as their delegate). "
        "Nothing was changed."
    )


def test_a_second_vote_of_ones_own_is_refused_without_naming_anyone() -> None:
    assert messages.already_voted(None) == (
        "You can't decide this request: you already voted. Nothing was changed."
    )


def test_a_name_that_is_not_a_user_id_is_shown_escaped_never_as_markup() -> None:
    # Given a stored name that is no Slack user id, with markup in it
    text = messages.already_voted("U0BOB> <!channel> <@U0EVE")

    # Then none of it is a mention or a broadcast
    assert "<!channel>" not in text
    assert "<@U0EVE" not in text
    assert "&lt;!channel&gt;" in text


def test_the_other_refusals_still_escape_their_reason() -> None:
    text = messages.not_authorized("you are not an approver <!channel> & <@U0EVE>")

    assert "<!channel>" not in text
    assert "<@U0EVE>" not in text
    assert "&lt;!channel&gt; &amp; &lt;@U0EVE&gt;" in text


def test_progress_counts_people_as_the_quorum_does_on_a_record_from_before_one_vote_each() -> None:
    # Given a 3-of-4 stored before one vote per person: carol cast bob's and dave's votes
    at = "2026-11-22T12:00:00+00:00"
    record = replace(
        stored(),
        policy=ApproverPolicy(frozenset({"U0BOB", "U0CAROL", "U0DAVE", "U0ERIN"}), quorum=3),
        votes=(
            Vote("U0BOB", Verdict.APPROVE, at, cast_by="U0CAROL"),
            Vote("U0DAVE", Verdict.APPROVE, at, cast_by="U0CAROL"),
        ),
    )

    # Then one person approved: the clicker and the message both say 1 of 3
    assert messages.vote_counted(record) == "Your approval is recorded (1 of 3)."
    assert "1 of 3 approvals" in json.dumps(request_blocks(record))


def test_a_forms_refusals_are_plain_text_naming_nobody() -> None:
    # Slack shows a modal's errors as plain text (docs.slack.dev/surfaces/modals
    # #displaying_errors): no mention, no date, no entity; the time in UTC, as words
    assert messages.form_already_decided(Status.REJECTED, "2026-11-22T13:05:00+01:00") == (
        "Already rejected at 2026-11-22 12:05 UTC; nothing was changed."
    )
    assert messages.form_already_decided(Status.APPROVED, None) == (
        "Already approved; nothing was changed."
    )
    assert messages.form_refused("a <b> & c") == (
        "You can't decide this request: a <b> & c. Nothing was changed."
    )
    assert messages.form_invalid("x" * 1000).endswith("…. Nothing was changed.")
