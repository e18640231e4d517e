"""A click on a full Home tab reaches the app: the body cap fits what Slack sends back.

Slack sends a click back with the surface it came from: a Home tab click carries the whole
`view`, every block of it, as published (Bolt's fixture of a click in a view:
slackapi/bolt-python@a2f21ae tests/scenario_tests/test_block_suggestion.py, `"container":
{"type": "view", …}` with `view.blocks` in full; docs.slack.dev/reference/interaction-payloads/
block_actions-payload, `view`), URL-encoded in one form field `payload=` (a character outside
ASCII becomes 8 to 9 bytes on the wire). The webhook refuses any body above
`MAX_BODY_BYTES` (64 KiB) with a 413 before it looks at it (src/greenlight/webhook/asgi.py), but
its own Home tab (`greenlight.core.home.home_view`: 20 pending, 10 decided) of an ordinary
Japanese-speaking team is larger than that once Slack echoes it: every button in that Home tab
then fails, and the approver sees only Slack's generic warning.

The envelope is localdev/slack_corpus/block_actions_home.json (Bolt's fixture, its view's blocks
emptied); here its view holds what `home_view` published, as Slack would send it back. The cap
is now computed from Slack's own bound on a view (`view_too_large`, "greater than 250kb":
tests/contract/slack_api/slack_api_ref/views.publish.json): the largest view Slack publishes
fits, and a body larger than any Slack sends is still refused unread.
"""

from __future__ import annotations

import time
from dataclasses import replace

from greenlight.core.home import DECIDED_SHOWN, PENDING_SHOWN, home_view
from greenlight.core.record import SlackMessage
from greenlight.core.votes import Verdict, Vote
from greenlight.webhook.asgi import MAX_BODY_BYTES, SlackWebhook
from greenlight.webhook.rotation import RotatingCredentials
from localdev import slack_corpus, slack_requests
from tests.unit.core.test_blocks import AT, record
from tests.unit.webhook.test_asgi import SECRET, call, wire
from tests.unit.webhook.test_rotation import Source

TITLE = (
    "決済サービスの新しいバージョンを東京リージョンの本番環境へデプロイするための承認依頼です"
    "、夜間メンテナンス枠で実施し、完了後に監視チームへ結果を共有します"
)
REASON = (
    "負荷試験の結果が添付されていません。"
    "結果を添付し、ロールバック手順を確認してから再申請してください。"
) * 4


def ordinary_home() -> dict[str, object]:
    """Bob's Home tab: 20 requests (77-character titles) waiting on him, 10 rejected recently
    with a 300-character reason (of the 500 a reason may have)."""
    pending = [
        replace(
            record(title=TITLE),
            approval_id=f"{n:022d}",
            slack=SlackMessage("C0APPROVALS", f"1700000000.{n:06d}"),
        )
        for n in range(PENDING_SHOWN)
    ]
    rejected = [
        replace(
            record(title=TITLE),
            approval_id=f"r{n:021d}",
            slack=SlackMessage("C0APPROVALS", f"1700000001.{n:06d}"),
        ).with_vote(Vote("U0CAROL", Verdict.REJECT, AT, REASON[:300]))
        for n in range(DECIDED_SHOWN)
    ]
    return home_view(pending, rejected, user_id="U0BOB")


def click_in(blocks: object) -> tuple[bytes, dict[str, bytes]]:
    """A signed click on Approve in a Home tab holding `blocks`, as Slack sends it back."""
    entry = slack_corpus.load("block_actions_home")
    payload = entry.payload
    payload["view"]["blocks"] = blocks
    body = entry.body(payload)
    headers = {
        k.lower(): v.encode() for k, v in entry.headers(body, SECRET, int(time.time())).items()
    }
    return body.encode(), headers


def largest_view_blocks() -> list[object]:
    """100 sections (a view's most) of Japanese text, 250 KiB of characters in all (the
    largest view Slack publishes: `view_too_large` above 250kb)."""
    text = "承" * (250 * 1024 // 100 - 60)  # room for each block's JSON around its text
    return [
        {"type": "section", "block_id": f"b{n}", "text": {"type": "mrkdwn", "text": text}}
        for n in range(100)
    ]


def test_a_click_in_an_ordinary_full_home_tab_is_not_refused_as_too_large() -> None:
    # Given the webhook, and bob's Home tab as the app published it
    webhook = SlackWebhook(RotatingCredentials(Source(SECRET).load, wire))
    body, headers = click_in(ordinary_home()["blocks"])

    # When Slack delivers bob's click on Approve there, signed
    status, answer = call(webhook, body, headers)

    # Then it reaches the app: not refused unread as too large
    assert len(body) > 64 * 1024  # what Slack sends for this Home tab
    assert status != 413, answer


def test_a_click_in_the_largest_view_slack_publishes_is_not_refused_as_too_large() -> None:
    # Given the webhook, and a Home tab as large as Slack lets a view be, all outside ASCII
    webhook = SlackWebhook(RotatingCredentials(Source(SECRET).load, wire))
    body, headers = click_in(largest_view_blocks())

    # When Slack delivers a click there
    status, answer = call(webhook, body, headers)

    # Then it reaches the app (8 bytes a character on the wire: ~2 MB)
    assert len(body) > 2_000_000
    assert status != 413, answer


def test_a_body_larger_than_any_slack_sends_is_refused_unread() -> None:
    # Given the webhook, its secret read once at start
    source = Source(SECRET)
    webhook = SlackWebhook(RotatingCredentials(source.load, wire))
    reads = source.reads
    body, headers = click_in(largest_view_blocks())

    # When a body one byte over the cap arrives, however it is signed
    status, answer = call(webhook, body + b"x" * (MAX_BODY_BYTES + 1 - len(body)), headers)

    # Then it is refused as too large, and nothing (not even the secret) was read for it
    assert status == 413, answer
    assert source.reads == reads


def test_the_local_stacks_home_click_carries_the_home_tab_as_published() -> None:
    # Given bob's Home tab as views.publish answered it
    view = ordinary_home() | {"id": "V00000001H", "hash": "1700000000.000001"}

    # When the local stack (page, tests, benchmarks) clicks Approve in it
    payload = slack_requests.home_click(
        action_id="approve", approval_id="0" * 22, user_id="U0BOB", view=view
    )

    # Then the click carries the whole view back, as Slack's does: as large as the tab is
    assert payload["view"]["blocks"] == view["blocks"]
    assert (payload["view"]["id"], payload["container"]["view_id"]) == (view["id"], view["id"])
    assert len(slack_corpus.form(payload).encode()) > 64 * 1024
