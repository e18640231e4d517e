"""The fake Slack refuses what real Slack refuses, with Slack's own error codes.

Each refusal goes through the real `slack_sdk.WebClient` (so the SDK raises `SlackApiError` as it
would against Slack) and is checked against Slack's method reference
(`tests/contract/slack_api/`): the fake may only answer errors the method's pages list.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from greenlight.core.blocks import reject_modal
from localdev import fake_slack, fixtures, slack_requests
from tests.contract.slack_api.reference import methods

if TYPE_CHECKING:
    from collections.abc import Iterator

TOKEN = "xoxb-fake-slack-test-not-real"  # a dummy for the fake Slack
CHANNEL = fixtures.CHANNEL_ID
SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}
# Answered by the fake though the method's pages do not list it (see the contract README).
NOT_LISTED = {("chat.postMessage", "thread_not_found")}


@pytest.fixture(scope="module")
def server() -> Iterator[fake_slack.FakeSlackServer]:
    with fake_slack.running(TOKEN) as slack:
        yield slack


@pytest.fixture
def base_url(server: fake_slack.FakeSlackServer) -> Iterator[str]:
    yield f"http://127.0.0.1:{server.server_port}"
    server.faults.clear()


def client(base_url: str, token: str | None = TOKEN) -> WebClient:
    return WebClient(token=token, base_url=f"{base_url}/api/")


def post(base_url: str, message: dict[str, Any]) -> dict[str, Any]:
    return dict(client(base_url).chat_postMessage(channel=CHANNEL, **message).data)  # type: ignore[arg-type]  # data is a dict for JSON answers


def refused(call: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as error:
        call()
    data: dict[str, Any] = error.value.response.data
    return data


def too_long_section() -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}


def modal(**changes: Any) -> dict[str, Any]:
    return reject_modal("A" * 22, "Order ord-1") | changes


REFUSALS: list[tuple[str, str, dict[str, Any]]] = [
    ("chat.postMessage", "channel_not_found", {"text": "hi"}),
    ("chat.postMessage", "channel_not_found", {"channel": "C0NOTHERE", "text": "hi"}),
    ("chat.postMessage", "no_text", {"channel": CHANNEL}),
    ("chat.postMessage", "invalid_blocks", {"channel": CHANNEL, "blocks": [too_long_section()]}),
    ("chat.postMessage", "invalid_blocks", {"channel": CHANNEL, "blocks": [SECTION] * 51}),
    ("chat.postMessage", "invalid_blocks", {"channel": CHANNEL, "blocks": [{"type": "nope"}]}),
    ("chat.postMessage", "invalid_blocks_format", {"channel": CHANNEL, "blocks": {"a": 1}}),
    ("chat.postMessage", "thread_not_found", {"channel": CHANNEL, "text": "x", "thread_ts": "1.2"}),
    ("chat.update", "channel_not_found", {"ts": "1.2", "text": "hi"}),
    ("chat.update", "message_not_found", {"channel": CHANNEL, "ts": "1.2", "text": "hi"}),
    ("chat.update", "no_text", {"channel": CHANNEL, "ts": "1.2"}),
    ("chat.postEphemeral", "channel_not_found", {"user": "U0BOB", "text": "hi"}),
    ("chat.postEphemeral", "user_not_in_channel", {"channel": CHANNEL, "text": "hi"}),
    ("chat.postEphemeral", "no_text", {"channel": CHANNEL, "user": "U0BOB"}),
    ("views.open", "invalid_arguments", {"view": modal()}),
    ("views.open", "invalid_arguments", {"trigger_id": "1.2.x"}),
    ("views.open", "invalid_arguments", {"trigger_id": "1.2.x", "view": modal(title=None)}),
    ("users.info", "user_not_found", {"user": "U0NOBODY"}),
    ("usergroups.users.list", "no_such_subteam", {"usergroup": "S0NONE"}),
    ("conversations.open", "users_list_not_supplied", {}),
    ("views.publish", "invalid_arguments", {"view": {"type": "home", "blocks": [SECTION]}}),
    ("views.publish", "invalid_arguments", {"user_id": "U0BOB", "view": modal()}),
    ("views.publish", "invalid_arguments", {"user_id": "U0BOB", "view": {"type": "home"}}),
    (
        "views.publish",
        "hash_conflict",
        {"user_id": "U0NEWCOMER", "view": {"type": "home", "blocks": [SECTION]}, "hash": "1.2"},
    ),
    ("conversations.open", "user_not_found", {"users": "bob"}),
    ("conversations.open", "too_many_users", {"users": ",".join(f"U0P{n}" for n in range(9))}),
    ("conversations.open", "channel_not_found", {"channel": "D0NOBODY"}),
    ("chat.postMessage", "channel_not_found", {"channel": "D0NEVEROPENED", "text": "x"}),
]


@pytest.mark.parametrize(("method", "error", "args"), REFUSALS)
def test_the_fake_refuses_as_slack_documents(
    base_url: str, method: str, error: str, args: dict[str, Any]
) -> None:
    answer = refused(lambda: client(base_url).api_call(method, json=args))

    assert answer["error"] == error
    assert error in methods()[method].errors or (method, error) in NOT_LISTED


def test_invalid_blocks_say_where_as_slack_does(base_url: str) -> None:
    answer = refused(lambda: post(base_url, {"text": "x", "blocks": [SECTION, too_long_section()]}))

    assert answer["error"] == "invalid_blocks"
    (message,) = answer["response_metadata"]["messages"]
    assert message.startswith("[ERROR] ")
    assert message.endswith("[json-pointer:/blocks/1]")
    assert answer["errors"] == [message.removeprefix("[ERROR] ")]


def test_blocks_sent_as_a_form_string_are_read_as_slack_reads_them(base_url: str) -> None:
    form = {"channel": CHANNEL, "text": "x", "blocks": json.dumps([too_long_section()])}

    answer = refused(lambda: client(base_url).api_call("chat.postMessage", data=form))

    assert answer["error"] == "invalid_blocks"


def test_a_view_slack_would_refuse_is_invalid_arguments_with_its_reason(base_url: str) -> None:
    view = modal(title={"type": "plain_text", "text": "x" * 25})

    answer = refused(lambda: client(base_url).views_open(trigger_id="1.2.x", view=view))

    assert answer["error"] == "invalid_arguments"
    assert any("json-pointer:/view" in m for m in answer["response_metadata"]["messages"])


def test_a_trigger_opens_one_view_only(base_url: str) -> None:
    views = client(base_url).views_open
    trigger = slack_requests.new_trigger_id()  # minted now: a trigger lives 3 s
    views(trigger_id=trigger, view=modal())

    answer = refused(lambda: views(trigger_id=trigger, view=modal()))

    assert answer["error"] == "exchanged_trigger_id"
    assert "exchanged_trigger_id" in methods()["views.open"].errors


def test_an_update_longer_than_slack_allows_is_msg_too_long(base_url: str) -> None:
    posted = post(base_url, {"text": "short"})

    answer = refused(
        lambda: client(base_url).chat_update(channel=CHANNEL, ts=posted["ts"], text="x" * 4001)
    )

    assert answer["error"] == "msg_too_long"
    assert "msg_too_long" in methods()["chat.update"].errors


def test_a_refused_call_changes_nothing(base_url: str, server: fake_slack.FakeSlackServer) -> None:
    posted = post(base_url, {"text": "before", "blocks": [SECTION]})

    refused(
        lambda: client(base_url).chat_update(
            channel=CHANNEL, ts=posted["ts"], text="after", blocks=[too_long_section()]
        )
    )

    message = server.state.messages[posted["ts"]]
    assert (message["text"], message["blocks"], message["edited"]) == ("before", [SECTION], None)


@pytest.mark.parametrize(("token", "error"), [("xoxb-wrong", "invalid_auth"), (None, "not_authed")])
def test_a_bad_or_missing_token_is_refused_before_anything_else(
    base_url: str, token: str | None, error: str
) -> None:
    answer = refused(lambda: client(base_url, token).chat_postMessage(channel="C0X", text="x"))

    assert answer["error"] == error


@pytest.mark.parametrize(
    ("content_type", "body", "error"),
    [
        ("application/json", b"{not json", "invalid_json"),
        ("application/json", b"[1]", "json_not_object"),
    ],
)
def test_a_body_slack_cannot_read_gets_slacks_error(
    base_url: str, content_type: str, body: bytes, error: str
) -> None:
    request = urllib.request.Request(
        f"{base_url}/api/chat.postMessage",
        data=body,
        headers={"Content-Type": content_type, "Authorization": f"Bearer {TOKEN}"},
    )

    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.load(response) == {"ok": False, "error": error}


def fault(base_url: str, body: dict[str, Any]) -> int:
    request = urllib.request.Request(
        f"{base_url}/_faults", data=json.dumps(body).encode(), method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as refusal:
        return refusal.code


def test_a_rate_limit_is_http_429_with_retry_after_as_slack_sends_it(base_url: str) -> None:
    assert fault(base_url, {"method": "chat.postMessage", "error": "ratelimited"}) == 200

    with pytest.raises(SlackApiError) as error:
        client(base_url).chat_postMessage(channel=CHANNEL, text="hi")

    response = error.value.response
    assert (response.status_code, response["error"]) == (429, "ratelimited")
    assert response.headers["Retry-After"] == "1"


def test_the_sdks_rate_limit_handler_waits_as_long_as_retry_after_says(base_url: str) -> None:
    patient = client(base_url)
    patient.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    fault(base_url, {"method": "chat.postMessage", "error": "ratelimited", "retry_after": 2})

    started = time.monotonic()
    answer = patient.chat_postMessage(channel=CHANNEL, text="hi")

    assert answer["ok"] is True
    assert time.monotonic() - started >= 2  # waited Retry-After (the handler adds jitter)


def test_a_fault_is_spent_after_its_count_and_other_methods_are_untouched(base_url: str) -> None:
    fault(base_url, {"method": "chat.update", "error": "fatal_error", "times": 2})
    posted = post(base_url, {"text": "still posts"})
    update = client(base_url).chat_update

    errors = [refused(lambda: update(channel=CHANNEL, ts=posted["ts"], text="x"))["error"]]
    errors.append(refused(lambda: update(channel=CHANNEL, ts=posted["ts"], text="x"))["error"])

    assert errors == ["fatal_error", "fatal_error"]
    assert update(channel=CHANNEL, ts=posted["ts"], text="x")["ok"] is True


def server_messages(base_url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{base_url}/_state", timeout=5) as response:
        messages: list[dict[str, Any]] = json.load(response)["messages"]
        return messages


def test_a_delay_answers_late_then_as_usual_and_is_spent_after_its_count(base_url: str) -> None:
    # Given Slack slow (300 ms) for the next two chat.update calls
    assert fault(base_url, {"method": "chat.update", "delay_ms": 300, "times": 2}) == 200
    posted = post(base_url, {"text": "slow to update"})
    update = client(base_url).chat_update

    # When three updates are sent one after the other
    took = []
    for text in ("one", "two", "three"):
        started = time.monotonic()
        assert update(channel=CHANNEL, ts=posted["ts"], text=text)["ok"] is True
        took.append(time.monotonic() - started)

    # Then the first two waited, each was applied, and the third was not delayed
    assert min(took[:2]) >= 0.3
    assert took[2] < 0.3
    (message,) = [m for m in server_messages(base_url) if m["ts"] == posted["ts"]]
    assert message["text"] == "three"


def test_a_delay_with_an_error_is_refused_after_the_delay(base_url: str) -> None:
    fault(base_url, {"method": "views.publish", "error": "fatal_error", "delay_ms": 200})

    started = time.monotonic()
    answer = refused(lambda: client(base_url).views_publish(user_id="U0BOB", view={}))

    assert answer["error"] == "fatal_error"
    assert time.monotonic() - started >= 0.2


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"method": "chat.update"},
        {"error": "ratelimited"},
        {"method": "x", "error": "y", "times": 0},
        {"method": "chat.update", "delay_ms": 0},
        {"method": "chat.update", "delay_ms": 5001},  # slow, never hung: at most 5 s
        {"method": "chat.update", "delay_ms": "200"},
        {"method": "chat.update", "error": "", "delay_ms": 200},
    ],
)
def test_a_malformed_fault_is_refused_and_injects_nothing(
    base_url: str, body: dict[str, Any]
) -> None:
    assert fault(base_url, body) == 400
    assert post(base_url, {"text": "unaffected"})["ok"] is True


def test_every_call_is_recorded_with_its_argument_names_and_answer(
    base_url: str, server: fake_slack.FakeSlackServer
) -> None:
    post(base_url, {"text": "recorded", "unfurl_links": False})

    last = server.state.snapshot()["calls"][-1]

    assert last == {
        "method": "chat.postMessage",
        "args": ["channel", "text", "unfurl_links"],
        "error": None,
    }


def test_a_home_tab_is_published_per_user_and_replaced_with_its_hash(
    base_url: str, server: fake_slack.FakeSlackServer
) -> None:
    # Given a Home tab published for bob (the method's example response's fields come back)
    web = client(base_url)
    home = {"type": "home", "blocks": [SECTION]}
    first = web.views_publish(user_id="U0BOB", view=home)["view"]
    assert (first["type"], first["team_id"], first["blocks"]) == ("home", "T0GREENLT", [SECTION])
    # When it is published again with the hash it was given, and then with a stale hash
    second = web.views_publish(user_id="U0BOB", view=home, hash=first["hash"])["view"]
    stale = refused(lambda: web.views_publish(user_id="U0BOB", view=home, hash=first["hash"]))
    # Then the same view is replaced, and the stale write is refused as Slack refuses it
    assert second["id"] == first["id"]
    assert second["hash"] != first["hash"]
    assert stale["error"] == "hash_conflict"
    assert server.state.snapshot()["homes"]["U0BOB"]["hash"] == second["hash"]
