"""The Block Kit check refuses what Slack documents it refuses, and accepts what is at the limit."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from greenlight.core.blocks import reject_modal
from localdev.block_kit import message_problems, text_problems, view_problems


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def fields(*texts: str) -> dict[str, Any]:
    return {"type": "section", "fields": [{"type": "mrkdwn", "text": t} for t in texts]}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def header(text: str, kind: str = "plain_text") -> dict[str, Any]:
    return {"type": "header", "text": {"type": kind, "text": text}}


def button(text: str, value: str = "v") -> dict[str, Any]:
    element = {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": text}}
    return {"type": "actions", "elements": [element | {"value": value}]}


# (at the limit, one past it): each limit from docs.slack.dev/reference/block-kit/...
LIMITS = [
    ([section("x" * 3000)], [section("x" * 3001)]),  # blocks/section-block (slack_sdk)
    ([fields("x" * 2000)], [fields("x" * 2001)]),  # blocks/section-block (ours)
    ([fields(*["x"] * 10)], [fields(*["x"] * 11)]),  # blocks/section-block (slack_sdk)
    ([context("x" * 3000)], [context("x" * 3001)]),  # composition-objects/text-object (ours)
    ([header("x" * 150)], [header("x" * 151)]),  # blocks/header-block (slack_sdk)
    ([header("x")], [header("x", "mrkdwn")]),  # blocks/header-block (ours)
    ([button("x" * 75)], [button("x" * 76)]),  # block-elements/button-element (slack_sdk)
    ([button("x", "v" * 2000)], [button("x", "v" * 2001)]),  # button value (slack_sdk)
    ([section("x")] * 50, [section("x")] * 51),  # blocks: 50 in a message (ours)
    ([section("x")], [section("")]),  # text object: at least 1 character (round trip)
    ([section("x")], [section("x") | {"colour": "red"}]),  # not Block Kit (round trip)
    ([section("x")], [{"type": "carousel_of_doom"}]),  # unknown type
]


@pytest.mark.parametrize(("accepted", "refused"), LIMITS)
def test_each_documented_message_limit_holds_to_the_character(
    accepted: list[dict[str, Any]], refused: list[dict[str, Any]]
) -> None:
    assert message_problems(accepted) == []
    assert message_problems(refused) != []


def modal(**changes: Any) -> dict[str, Any]:
    return reject_modal("A" * 22, "Order") | changes


def with_max_length(value: object) -> dict[str, Any]:
    view = modal()
    view["blocks"][1]["element"]["max_length"] = value
    return view


@pytest.mark.parametrize(
    ("accepted", "refused"),
    [
        (modal(title={"type": "plain_text", "text": "x" * 24}),
         modal(title={"type": "plain_text", "text": "x" * 25})),  # surfaces/views
        (modal(submit={"type": "plain_text", "text": "x" * 24}),
         modal(submit={"type": "mrkdwn", "text": "x"})),  # surfaces/views: plain_text only
        (modal(private_metadata="x" * 3000), modal(private_metadata="x" * 3001)),
        (with_max_length(3000), with_max_length(3001)),  # plain-text-input-element
        (with_max_length(1), with_max_length(0)),
        (with_max_length(1), with_max_length("500")),
    ],
)  # fmt: skip
def test_each_documented_view_limit_holds(
    accepted: dict[str, Any], refused: dict[str, Any]
) -> None:
    assert view_problems(accepted) == []
    assert view_problems(refused) != []


def test_problems_name_where_as_slack_does() -> None:
    problems = message_problems([section("ok"), fields("x", "y" * 2001)])

    assert problems == [
        "[ERROR] must be less than 2001 characters [json-pointer:/blocks/1/fields/1/text]"
    ]


@pytest.mark.parametrize("payload", [None, "not json", "{}", 42])
def test_anything_but_an_array_of_blocks_is_refused(payload: object) -> None:
    assert message_problems(payload) == ["[ERROR] must provide an array [json-pointer:/blocks]"]


def test_a_message_text_is_held_to_four_thousand_characters() -> None:
    assert text_problems("x" * 4000) == []
    assert text_problems("x" * 4001) != []


def test_a_block_sent_again_gets_the_same_answer_without_being_judged_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a count of slack_sdk's parses, and blocks this check has not seen before
    parsed: list[object] = []
    original = Block.parse

    def counted(block: Any) -> Any:
        parsed.append(block)
        return original(block)

    monkeypatch.setattr(Block, "parse", counted)
    good, bad = section("seen twice ✓"), fields("seen twice", "y" * 2001)

    # When they are checked, then sent again, one of them at another place
    first = message_problems([good, bad])
    again = message_problems([good, bad])
    moved = message_problems([bad])

    # Then a refused block stays refused, each answer names its own place...
    assert (
        first
        == again
        == ["[ERROR] must be less than 2001 characters [json-pointer:/blocks/1/fields/1/text]"]
    )
    assert moved == [
        "[ERROR] must be less than 2001 characters [json-pointer:/blocks/0/fields/1/text]"
    ]
    # ...and slack_sdk judged each block once per place, not once per message
    assert len(parsed) == 3


def test_a_block_that_changes_is_judged_anew() -> None:
    block = section("x" * 3000)
    assert message_problems([block]) == []

    block["text"]["text"] += "x"  # the same object, now one character past the limit

    assert message_problems([block]) != []
