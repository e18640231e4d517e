"""A request's message, whatever its text: it pages nobody, and Slack can post it.

First: a requester's description could page a whole channel.

`ApprovalRequest.description` is the requester's own mrkdwn, kept as written so its formatting
and links work (`greenlight.core.blocks.request_blocks`). That keeps Slack's special mentions
too: `<!here>` "notifies the active members of a channel", `<!channel>` "notifies all members of
a channel, active or not", `<!everyone>` "every non-guest member of a workspace", and
`<!subteam^ID>` a whole user group (docs.slack.dev/messaging/formatting-message-text, "Special
mentions" and "Mentioning groups"). Descriptions are built from outside input in our own
examples (examples/deploy_gate/asks.py passes the deploy event's `summary` through; the README's
`drop_table` puts `event['table']` in it), so whoever writes that input can page the approvals
channel, and every approver's DM copy, on each post and on each redraw (`chat.update`).

Second: a message's blocks together hold at most about 12,000 characters of text.
chat.postMessage documents the refusal (`msg_blocks_too_long`, "Blocks submitted with this
message are too long": tests/contract/slack_api/slack_api_ref/chat.postMessage.json) but not
the number; Slack's maintainers gave it in slackapi/bolt-js#2509 (labelled server-side-issue,
refused at ~13,200) as "12,000 text characters with a buffer for block containers" (quoted in
slackapi/bolt-js#2867, refused at 11,341). `request_blocks` keeps each text inside its own limit
and, together, within `BLOCK_TEXT_BUDGET` (11,000: what it let grow to ~18,000 for the largest
request the API accepts, tests/unit/core/test_blocks.py `crowded`), cutting what people typed
only; the fake Slack refuses above 12,000 as Slack does (tests/unit/localdev/
test_fake_slack_limits.py).
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from greenlight.core.blocks import ELLIPSIS, request_blocks
from greenlight.core.request import (
    MAX_DESCRIPTION,
    MAX_FIELD_TEXT,
    MAX_FIELDS,
    MAX_LINK_LABEL,
    MAX_LINKS,
    MAX_URL,
    ApprovalRequest,
    Link,
)
from greenlight.core.votes import Status
from tests.unit.core.test_blocks import crowded, record

# Slack's broadcast and group mentions (not `<!date^…>`, which the app writes itself)
BLOCK_TEXT_MAX = 12_000  # bolt-js#2509 / #2867, see above
BROADCAST = re.compile(r"<!(?:here|channel|everyone|subteam\^)")


def texts(node: object) -> list[str]:
    """Every `text` string anywhere in a block tree."""
    if isinstance(node, list):
        return [t for item in node for t in texts(item)]
    if isinstance(node, dict):
        own = [node["text"]] if isinstance(node.get("text"), str) else []
        return own + [t for v in node.values() if isinstance(v, dict | list) for t in texts(v)]
    return []


@pytest.mark.parametrize(
    "description",
    [
        "Deploy api v2.3 <!channel>",
        "Summary from CI: *green* <!here|here>",
        "<!everyone> please look",
        "ping <!subteam^S0ALLSTAFF|@all-staff>",
    ],
)
def test_a_description_cannot_page_the_channel(description: str) -> None:
    # Given a request whose description came from outside input
    base = record()
    request = replace(base.request, description=description)
    assert isinstance(request, ApprovalRequest)

    # When the message is drawn
    blocks = request_blocks(replace(base, request=request))

    # Then no text carries a broadcast or group mention Slack would fire
    assert [t for t in texts(blocks) if BROADCAST.search(t)] == []


def description_section(description: str) -> dict[str, object]:
    """The section the description is drawn in."""
    base = record()
    blocks = request_blocks(replace(base, request=replace(base.request, description=description)))
    (section,) = [b for b in blocks if b["type"] == "section" and "text" in b][:1]
    assert isinstance(section, dict)
    return section


def test_a_description_keeps_its_formatting_links_and_named_people() -> None:
    # Given a description with bold, italic, a link, a date and one person named
    description = (
        "*3 commits* _since v2.2_ <https://example.com/diff|diff> by <@U0ALICE> "
        "<!date^1700000000^{date}|Nov 14>"
    )

    # Then Slack gets it as written, verbatim (no automatic parsing of bare names or URLs:
    # docs.slack.dev/reference/block-kit/composition-objects/text-object, `verbatim`). A named
    # person stays a mention: it notifies that one person, as the requester meant.
    assert description_section(description)["text"] == {
        "type": "mrkdwn",
        "text": description,
        "verbatim": True,
    }


def test_a_special_mention_shows_as_the_text_it_was() -> None:
    text = description_section("go <!here|here> & <!subteam^S0ALLSTAFF|@all-staff> now")["text"]
    assert isinstance(text, dict)
    assert text["text"] == "go &lt;!here|here&gt; & &lt;!subteam^S0ALLSTAFF|@all-staff&gt; now"


@pytest.mark.parametrize("status", list(Status))
def test_the_largest_request_fits_in_one_messages_block_text(status: Status) -> None:
    # Given the largest request the API accepts, waiting on a big group (test_blocks.crowded)
    blocks = request_blocks(crowded(status))

    # Then its blocks' texts together stay under what Slack posts
    assert sum(len(t) for t in texts(blocks)) <= BLOCK_TEXT_MAX


def test_an_ordinary_large_request_is_drawn_whole() -> None:
    # Given a request at every limit in ordinary characters (nothing grows when escaped)
    base = record()
    request = replace(
        base.request,
        description="d" * MAX_DESCRIPTION,
        fields=tuple((f"label {i}", "v" * (MAX_FIELD_TEXT - 8)) for i in range(MAX_FIELDS)),
        links=tuple(
            Link("l" * MAX_LINK_LABEL, "https://example.com/" + "p" * (MAX_URL - 20))
            for _ in range(MAX_LINKS)
        ),
    )

    # When it is drawn
    blocks = request_blocks(replace(base, request=request))

    # Then nothing typed is cut
    assert "d" * MAX_DESCRIPTION in texts(blocks)
    assert not [t for t in texts(blocks) if t.endswith(ELLIPSIS)]


@pytest.mark.parametrize("status", list(Status))
def test_what_the_budget_cuts_never_splits_an_entity_or_a_mention(status: Status) -> None:
    # Given the largest request, whose escaped fields, comments and reason are cut to fit
    cut = [t for t in texts(request_blocks(crowded(status))) if t.endswith(ELLIPSIS)]
    assert cut  # the budget did cut something

    # Then every cut text still reads as mrkdwn: whole entities, whole <…>
    for text in cut:
        assert re.search(r"&(?!amp;|lt;|gt;)", text.replace("&<>", "")) is None, text
        assert re.search(r"<[^>]*\Z", text) is None, text  # no <… left open
