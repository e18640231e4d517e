"""What a refused clicker is told: people as mentions, what anyone typed escaped."""

from __future__ import annotations

from greenlight.core import messages
from greenlight.core.errors import AlreadyVotedError


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
