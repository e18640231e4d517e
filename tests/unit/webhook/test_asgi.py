"""The ASGI front: the one signature check, and what a refused request may cost."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

import pytest
from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request import internals as bolt_internals
from slack_bolt.request import request as bolt_request
from slack_sdk.signature import SignatureVerifier

from greenlight.webhook import payloads
from greenlight.webhook.asgi import SlackWebhook, Wiring
from greenlight.webhook.rotation import RotatingCredentials
from localdev import slack_corpus
from tests.unit.webhook.test_rotation import Source, credentials

if TYPE_CHECKING:
    from collections.abc import MutableMapping

SECRET = "unit-signing-secret-not-real"


def wire(credentials: Any) -> Wiring:
    app = App(
        name="unit",
        process_before_response=True,
        token_verification_enabled=False,
        request_verification_enabled=False,
        authorize=lambda: AuthorizeResult(enterprise_id=None, team_id="T0GREENLT"),
    )
    return Wiring(app, SignatureVerifier(credentials.signing_secret.reveal()))


def call(webhook: SlackWebhook, body: bytes, headers: dict[str, bytes]) -> tuple[int, bytes]:
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/slack/events",
        "headers": [(k.encode(), v) for k, v in headers.items()],
        "query_string": b"",
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    asyncio.run(webhook(scope, receive, send))
    return int(sent[0]["status"]), bytes(sent[1]["body"])


@pytest.fixture
def source() -> Source:
    return Source(SECRET)


@pytest.fixture
def webhook(source: Source) -> SlackWebhook:
    return SlackWebhook(RotatingCredentials(source.load, wire))


BODY = slack_corpus.load("block_actions_channel").body().encode()
NOW = b"<now>"  # replaced when the test runs: collected long before, it would be stale


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "unsigned"),
        ({"x-slack-request-timestamp": NOW}, "no signature"),
        ({"x-slack-request-timestamp": b"1", "x-slack-signature": b"v0=00"}, "stale"),
        ({"x-slack-request-timestamp": b"9" * 400, "x-slack-signature": b"v0=00"}, "overflow"),
        ({"x-slack-request-timestamp": NOW, "x-slack-signature": "v0=é".encode()}, "non-ASCII"),
        ({"x-slack-request-timestamp": "١٢".encode(), "x-slack-signature": b"v0=00"}, "digits"),
    ],
)
def test_a_request_that_cannot_be_slacks_is_401_and_costs_no_secret_read(
    webhook: SlackWebhook, source: Source, headers: dict[str, bytes], why: str
) -> None:
    # Given a webhook that read its secret once, at start
    assert source.reads == 1
    # When a request arrives whose signing headers Slack would never send
    now = str(int(time.time())).encode()
    headers = {k: v.replace(NOW, now) for k, v in headers.items()}
    status, body = call(webhook, BODY, headers)
    # Then it is refused as unsigned, never a 500, and Secrets Manager is not asked again
    assert (status, body) == (401, b'{"error": "invalid request"}'), why
    assert source.reads == 1


def test_a_fresh_request_with_a_wrong_signature_rereads_the_secret_once(
    webhook: SlackWebhook, source: Source
) -> None:
    now = str(int(time.time())).encode()
    headers = {"x-slack-request-timestamp": now, "x-slack-signature": b"v0=" + b"0" * 64}

    first, _ = call(webhook, BODY, headers)
    second, _ = call(webhook, BODY, headers)

    # What a rotated secret looks like: one re-read, then rate-limited
    assert (first, second, source.reads) == (401, 401, 2)


def test_unsigned_ssl_check_is_answered_200_without_a_read(
    webhook: SlackWebhook, source: Source
) -> None:
    entry = slack_corpus.load("ssl_check_unsigned")

    status, body = call(
        webhook, entry.body().encode(), {"content-type": entry.content_type.encode()}
    )

    assert (status, body, source.reads) == (200, b"", 1)


@pytest.mark.parametrize(
    ("body", "media_type"),
    [
        (b"[" * 60_000, b"application/json"),
        (b"payload=" + b"%5B" * 20_000, b"application/x-www-form-urlencoded"),
        (b'{"a":' * 10_000, b"application/json"),
    ],
)
def test_deeply_nested_bodies_are_401_unsigned_and_400_signed(
    webhook: SlackWebhook, source: Source, body: bytes, media_type: bytes
) -> None:
    # Unsigned: refused before anything decodes them (no RecursionError, no secret read)
    assert call(webhook, body, {"content-type": media_type})[0] == 401
    assert source.reads == 1
    # Signed by Slack's secret: read, found unreadable, refused as such (never a 500)
    ts = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body.decode())
    headers = {
        "content-type": media_type,
        "x-slack-request-timestamp": ts.encode(),
        "x-slack-signature": str(signature).encode(),
    }
    status, answer = call(webhook, body, headers)
    assert (status, answer) == (400, b'{"error": "body: not readable JSON or form data"}')


def signed(body: bytes, media_type: bytes) -> dict[str, bytes]:
    ts = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body.decode())
    return {
        "content-type": media_type,
        "x-slack-request-timestamp": ts.encode(),
        "x-slack-signature": str(signature).encode(),
    }


@pytest.mark.parametrize(
    ("body", "answer"),
    [
        # Bolt's own reading of these raises (its context reads `"id" in team`): a 400 naming it
        (b'{"type": "block_actions", "team": 5}', b"team must be an object, a string or null"),
        # Bolt takes these in, and its dispatch would fail on them (a 500): refused first
        (b'{"type": "block_actions", "actions": []}', b"block_actions without an action_id"),
        (b'{"type": "view_submission", "view": {}}', b"a view without a type and callback_id"),
        (b"[1, 2]", b"body: not an object"),
        (b'"text"', b"body: not an object"),
    ],
)
def test_a_signed_body_bolt_cannot_dispatch_is_a_400_saying_why(
    webhook: SlackWebhook, body: bytes, answer: bytes
) -> None:
    status, sent = call(webhook, body, signed(body, b"application/json"))

    assert (status, sent) == (400, b'{"error": "' + answer + b'"}')


def test_a_well_formed_click_is_parsed_once(
    webhook: SlackWebhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a count of every parse of a body (ours and Bolt's are the same function)
    parsed: list[str] = []

    def counted(text: str, content_type: str | None) -> Any:
        parsed.append(text)
        return bolt_internals.parse_body(text, content_type)

    monkeypatch.setattr(bolt_request, "parse_body", counted)
    monkeypatch.setattr(payloads, "parse_body", counted)
    # When Slack's click arrives, signed
    status, _ = call(webhook, BODY, signed(BODY, b"application/x-www-form-urlencoded"))
    # Then it reached Bolt's dispatch (this bare app has no listener: Bolt's 404), read once
    assert status == 404
    assert parsed == [BODY.decode()]


def test_a_secret_rotated_since_start_does_not_let_a_forged_signature_through(
    webhook: SlackWebhook, source: Source
) -> None:
    # Given a warm webhook holding the old secret, and an operator who rotated it since
    source.value = credentials("rotated-signing-secret-not-real")
    # When a request signed with neither secret arrives: it fails the old one, so the webhook
    # reads the secret again and rewires itself to the rotated one
    forged = signed_with("a-guessed-secret-not-real", BODY)
    status, body = call(webhook, BODY, forged)
    # Then the rotated secret is checked too, and the forgery is still unsigned to us
    assert (status, body) == (401, b'{"error": "invalid request"}')
    assert source.reads == 2
    # while a request Slack signs with the rotated secret reaches Bolt (a bare app: its 404)
    assert call(webhook, BODY, signed_with("rotated-signing-secret-not-real", BODY))[0] == 404


def test_a_body_the_verifier_cannot_even_read_is_unsigned_not_a_400(
    webhook: SlackWebhook, source: Source
) -> None:
    # slack_sdk's SignatureVerifier decodes the body as UTF-8 before it hashes it: bytes that
    # are not UTF-8 make it raise. Fresh headers, whatever the signature: still "not Slack's",
    # so nothing about the body (not even that it is not UTF-8) is said to an unsigned caller
    body = b"payload=%7B%7D\xff\xfe"
    headers = {
        "content-type": b"application/x-www-form-urlencoded",
        "x-slack-request-timestamp": str(int(time.time())).encode(),
        "x-slack-signature": b"v0=" + b"0" * 64,
    }
    status, answer = call(webhook, body, headers)
    assert (status, answer) == (401, b'{"error": "invalid request"}')


def signed_with(secret: str, body: bytes) -> dict[str, bytes]:
    ts = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body.decode())
    return {
        "content-type": b"application/x-www-form-urlencoded",
        "x-slack-request-timestamp": ts.encode(),
        "x-slack-signature": str(signature).encode(),
    }


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/health", (200, b'{"ok": true}')),
        ("GET", "/slack/events", (405, b'{"error": "POST only"}')),
        ("PUT", "/slack/events", (405, b'{"error": "POST only"}')),
        ("POST", "/health", (404, b'{"error": "not found"}')),
        ("POST", "/slack/events/", (404, b'{"error": "not found"}')),
        ("POST", "/stage/slack/events", (404, b'{"error": "not found"}')),
    ],
)
def test_only_a_post_to_the_events_path_reaches_the_signature_check(
    webhook: SlackWebhook, source: Source, method: str, path: str, expected: tuple[int, bytes]
) -> None:
    sent: list[dict[str, Any]] = []
    scope = {"type": "http", "method": method, "path": path, "headers": [], "query_string": b""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": BODY, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    asyncio.run(webhook(scope, receive, send))

    assert (sent[0]["status"], sent[1]["body"]) == expected
    assert source.reads == 1  # answered by the route alone


def test_the_first_request_slack_signs_with_a_rotated_secret_is_accepted(
    webhook: SlackWebhook, source: Source
) -> None:
    # Given a warm webhook holding the old secret, and an operator who rotated it since
    source.value = credentials("rotated-signing-secret-not-real")
    # When Slack's first request signed with the new secret arrives (it fails the old one)
    status, _ = call(webhook, BODY, signed_with("rotated-signing-secret-not-real", BODY))
    # Then the secret is read again and that very request is checked with it: it reaches Bolt
    assert (status, source.reads) == (404, 2)  # a bare app: Bolt's 404
