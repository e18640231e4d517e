"""The fake Slack refuses a message whose blocks hold too much text, as Slack does.

chat.postMessage lists `msg_blocks_too_long` ("Blocks submitted with this message are too
long": tests/contract/slack_api/slack_api_ref/chat.postMessage.json) without its number; Slack's
maintainers gave it as "12,000 text characters with a buffer for block containers"
(slackapi/bolt-js#2509, quoted in slackapi/bolt-js#2867). Every block here is valid on its own.
"""

from __future__ import annotations

from typing import Any

from greenlight.core.blocks import BLOCK_TEXT_MAX, request_blocks
from greenlight.core.votes import Status
from localdev.block_kit import BLOCKS_TEXT_MAX
from tests.contract.slack_api.reference import methods
from tests.unit.core.test_blocks import crowded
from tests.unit.localdev.test_fake_slack import CHANNEL, base_url, client, post, refused, server

__all__ = ["base_url", "server"]  # the fake Slack's fixtures, shared


def sections(total: int) -> list[dict[str, Any]]:
    """Sections of 3,000 characters (each within Slack's own limit) holding `total` in all."""
    sizes = [3000] * (total // 3000) + ([total % 3000] if total % 3000 else [])
    return [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * n}} for n in sizes]


def test_blocks_over_slacks_total_are_refused_as_msg_blocks_too_long(base_url: str) -> None:
    # Given blocks each valid, together one character over the total
    blocks = sections(BLOCKS_TEXT_MAX + 1)

    # When they are posted
    answer = refused(lambda: post(base_url, {"text": "x", "blocks": blocks}))

    # Then Slack's documented error, and nothing posted
    assert answer["error"] == "msg_blocks_too_long"
    assert "msg_blocks_too_long" in methods()["chat.postMessage"].errors


def test_blocks_at_slacks_total_are_posted(base_url: str) -> None:
    assert post(base_url, {"text": "x", "blocks": sections(BLOCKS_TEXT_MAX)})["ok"] is True


def test_the_largest_request_is_posted_and_redrawn_in_every_state(base_url: str) -> None:
    # The product's bound is Slack's, as the fake holds it
    assert BLOCK_TEXT_MAX == BLOCKS_TEXT_MAX
    posted = post(base_url, {"text": "x", "blocks": request_blocks(crowded(Status.PENDING))})
    for status in Status:
        redraw = request_blocks(crowded(status))
        assert client(base_url).chat_update(
            channel=CHANNEL, ts=posted["ts"], text="x", blocks=redraw
        )["ok"]
        assert post(base_url, {"text": "x", "blocks": redraw})["ok"] is True


def home_of_size(characters: int) -> dict[str, Any]:
    """A Home tab whose sections hold `characters` of text (each section within its limit)."""
    return {"type": "home", "blocks": sections(characters)}


def test_a_view_over_250kb_is_refused_as_view_too_large(base_url: str) -> None:
    # views.publish and views.open: "Error returned if the provided view is greater than 250kb"
    web = client(base_url)
    answer = refused(lambda: web.views_publish(user_id="U0BOB", view=home_of_size(250_001)))

    assert answer["error"] == "view_too_large"
    assert "view_too_large" in methods()["views.publish"].errors
    assert "view_too_large" in methods()["views.open"].errors
    assert web.views_publish(user_id="U0BOB", view=home_of_size(240_000))["ok"] is True
