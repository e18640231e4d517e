"""The fake Slack's direct messages: `conversations.open` as Slack's method page answers it.

Reference: Slack's page for the method (tests/contract/slack_api/slack_api_ref/
conversations.open.json, from slack-ruby/slack-api-ref): `users` (comma-separated) or `channel`;
its example answers `{"ok": true, "channel": {"id": "D069C7QFK"}}` and, for a DM already open,
`no_op` and `already_open` beside the channel.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from localdev import fake_slack, fixtures
from tests.contract.slack_api.reference import REF

if TYPE_CHECKING:
    from collections.abc import Iterator

TOKEN = "xoxb-fake-slack-test-not-real"  # a dummy for the fake Slack


@pytest.fixture
def server() -> Iterator[fake_slack.FakeSlackServer]:
    with fake_slack.running(TOKEN) as slack:
        yield slack


def client(server: fake_slack.FakeSlackServer) -> WebClient:
    return WebClient(token=TOKEN, base_url=f"http://127.0.0.1:{server.server_port}/api/")


def slack_examples() -> list[dict[str, object]]:
    page = json.loads((REF / "conversations.open.json").read_text())
    return [json.loads(e) for e in page["response"]["examples"]]


def test_opening_a_dm_answers_as_slacks_example_and_the_dm_takes_messages(
    server: fake_slack.FakeSlackServer,
) -> None:
    first, reopened, _ = slack_examples()

    # When the app opens its DM with Bob, twice, and posts into it
    opened = client(server).conversations_open(users="U0BOB")
    again = client(server).conversations_open(users="U0BOB")
    posted = client(server).chat_postMessage(channel=opened["channel"]["id"], text="hi")

    # Then the answers have the shape of Slack's examples, and the same D… id each time
    assert set(opened.data) == set(first)
    assert opened["channel"]["id"].startswith("D")
    assert again["channel"]["id"] == opened["channel"]["id"]
    assert {"no_op", "already_open"} <= set(reopened) & set(again.data)
    assert posted["channel"] == opened["channel"]["id"]
    state = server.state.snapshot()
    assert state["dms"] == {opened["channel"]["id"]: "U0BOB"}
    assert [m["channel"] for m in state["messages"]] == [opened["channel"]["id"]]


def test_each_person_has_their_own_dm_and_a_known_one_resumes_by_channel(
    server: fake_slack.FakeSlackServer,
) -> None:
    bob = client(server).conversations_open(users="U0BOB")["channel"]["id"]
    carol = client(server).conversations_open(users="U0CAROL")["channel"]["id"]
    resumed = client(server).conversations_open(channel=bob)["channel"]["id"]

    assert bob != carol
    assert resumed == bob


@pytest.mark.parametrize("user_id", sorted(fixtures.DEACTIVATED_IDS))
def test_a_deactivated_user_is_refused_as_slacks_page_documents(
    server: fake_slack.FakeSlackServer, user_id: str
) -> None:
    # When the app opens a DM with someone whose account is deactivated
    with pytest.raises(SlackApiError) as refused:
        client(server).conversations_open(users=user_id)

    # Then Slack's documented refusal comes back, and no DM exists
    page = json.loads((REF / "conversations.open.json").read_text())
    assert refused.value.response["error"] == "user_disabled"
    assert "user_disabled" in page["errors"]
    assert server.state.snapshot()["dms"] == {}
