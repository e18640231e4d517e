"""A thin ASGI front for the Bolt app, the same under Mangum on Lambda and under uvicorn locally.

Bolt parses the body before it verifies the signature, so a malformed request would surface as
a 500; this front refuses such requests with a 4xx first, and runs Bolt's synchronous dispatch
in a worker thread so concurrent clicks are served concurrently.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_bolt.request import BoltRequest

from greenlight.core.errors import InvalidRequestError
from greenlight.webhook import log_context
from greenlight.webhook.payloads import is_ssl_check, parse, shape_problem

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, MutableMapping

    from slack_bolt import App, BoltResponse
    from slack_sdk.signature import SignatureVerifier

    from greenlight.webhook.rotation import RotatingCredentials

    Scope = MutableMapping[str, Any]
    Message = MutableMapping[str, Any]
    Receive = Callable[[], Awaitable[Message]]
    Send = Callable[[Message], Awaitable[None]]

Response = tuple[int, list[tuple[bytes, bytes]], bytes]
# The largest body Slack can send. A click in a view (the Home tab, a modal) carries the whole
# view back, every block, in one URL-encoded form field (docs.slack.dev/reference/
# interaction-payloads/block_actions-payload, `view`; Bolt's fixture slackapi/bolt-python
# tests/scenario_tests/test_block_suggestion.py). Slack refuses a view "greater than 250kb"
# (views.open and views.publish, `view_too_large`: tests/contract/slack_api/slack_api_ref), and
# echoes a character outside ASCII as `\uXXXX` ("converted and sent in unicode format",
# docs.slack.dev/reference/views/home-tab-views), URL-encoded as `%5CuXXXX`: 8 bytes, 9 for a
# raw UTF-8 character percent-encoded. So a view costs at most 9 bytes per character of its 250
# KiB, and everything around it (user, team, action, state) stays within the 64 KiB that used to
# be the whole cap. About 2.3 MB: still a bound on what one request holds in memory, and under
# what a Lambda invocation may carry (6 MB).
VIEW_MAX_CHARS = 250 * 1024
WIRE_BYTES_PER_CHAR = 9
ENVELOPE_MAX_BYTES = 64 * 1024
MAX_BODY_BYTES = VIEW_MAX_CHARS * WIRE_BYTES_PER_CHAR + ENVELOPE_MAX_BYTES
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/health"


@dataclass(frozen=True, slots=True)
class Wiring:
    """Bolt's app (built once; its token comes from `authorize`) and the signature check for
    the signing secret read last (rebuilt when the secret rotates)."""

    app: App
    verifier: SignatureVerifier


class SlackWebhook:
    """ASGI callable: POST {base}/slack/events goes to Bolt, GET {base}/health answers ok."""

    def __init__(self, wiring: RotatingCredentials[Wiring], base_path: str = "") -> None:
        self._wiring = wiring
        self._events = base_path + EVENTS_PATH
        self._health = base_path + HEALTH_PATH

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        status, headers, body = self._route(scope) or await self._dispatch(scope, receive)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _route(self, scope: Scope) -> Response | None:
        path, method = scope["path"], scope["method"]
        if path == self._health and method == "GET":
            return _json(200, {"ok": True})
        if path != self._events:
            return _json(404, {"error": "not found"})
        if method != "POST":
            return _json(405, {"error": "POST only"})
        return None

    async def _dispatch(self, scope: Scope, receive: Receive) -> Response:
        raw = await _read_body(receive)
        if raw is None:
            return _json(413, {"error": "request too large"})
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if _is_ssl_check(raw, headers):
            return 200, [], b""
        # The one signature check: Bolt's own is switched off (app.py), so nothing below, not
        # even the parsing of the body, ever sees an unsigned request.
        wired = await self._verified(raw, headers)
        if wired is None:
            return _json(401, {"error": "invalid request"})
        request = to_bolt_request(raw, headers, scope.get("query_string", b""))
        if not isinstance(request, BoltRequest):
            return request
        response = await asyncio.to_thread(_dispatch, wired.app, request)
        out = [(k.encode(), v.encode()) for k, values in response.headers.items() for v in values]
        return response.status, out, response.body.encode()

    async def _verified(self, raw: bytes, headers: dict[str, str]) -> Wiring | None:
        """The wiring whose signing secret signed this request, or None: unsigned.

        Only a request that could be Slack's (both headers, a timestamp within Slack's five
        minutes) but fails the signature makes the webhook read the secret again: that is what
        a rotated secret looks like, and anything else must not cost a Secrets Manager read.
        """
        signature = headers.get("x-slack-signature", "")
        timestamp = headers.get("x-slack-request-timestamp", "")
        wired = self._wiring.current
        if not is_fresh(timestamp, signature):
            return None
        if _is_valid(wired.verifier, raw, timestamp, signature):
            return wired
        if await asyncio.to_thread(self._wiring.refresh):
            wired = self._wiring.current
            if _is_valid(wired.verifier, raw, timestamp, signature):
                return wired
        return None


def to_bolt_request(raw: bytes, headers: dict[str, str], query: bytes) -> BoltRequest | Response:
    """The signed request for Bolt, or a 400 for what Bolt could not read without a 500.

    Bolt takes only the raw text and parses it itself; the shapes that would fail its dispatch
    are looked for in that parse (`request.body`), so a well-formed click is parsed once. Only a
    body Bolt could not even take in is parsed again (`parse`), to say what is wrong with it.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _json(400, {"error": "body is not UTF-8"})
    try:
        request: BoltRequest | None = BoltRequest(
            body=text, query=query.decode("latin-1"), headers=dict(headers)
        )
    except Exception:  # noqa: BLE001  # Bolt raises bare errors on bodies it cannot read
        request = None
    try:
        body = parse(text, content_type(headers)) if request is None else request.body
        problem = shape_problem(body) if isinstance(body, dict) else "body: not an object"
    except InvalidRequestError as err:
        problem = f"{err.field}: {err.problem}"
    if problem:
        return _json(400, {"error": problem})
    return request if request is not None else _json(400, {"error": "unreadable body"})


def _dispatch(app: App, request: BoltRequest) -> BoltResponse:
    """Bolt's dispatch on a worker thread that may have served another request before."""
    log_context.forget()
    return app.dispatch(request)


MAX_SKEW_SECONDS = 300  # Slack's replay window (docs: verifying requests from Slack)


def is_fresh(timestamp: str, signature: str, now: float | None = None) -> bool:
    """Whether the signing headers are well formed and the timestamp inside Slack's window.

    Header values are whatever a client sent: hundreds of digits, non-ASCII, empty. None of
    them may raise; each is simply not Slack's.
    """
    if not (signature.isascii() and signature.startswith("v0=") and timestamp.isascii()):
        return False
    if not timestamp.isdigit() or len(timestamp) > 12:  # epoch seconds have 10 digits until 2286
        return False
    return abs((time.time() if now is None else now) - int(timestamp)) <= MAX_SKEW_SECONDS


def _is_valid(verifier: SignatureVerifier, raw: bytes, timestamp: str, signature: str) -> bool:
    try:
        return verifier.is_valid(raw, timestamp, signature)
    except Exception:  # noqa: BLE001  # any failure to verify is "not signed by Slack": a 401
        return False


def _is_ssl_check(raw: bytes, headers: dict[str, str]) -> bool:
    """Slack's unsigned `ssl_check`, recognised without decoding anything but a plain form."""
    try:
        return is_ssl_check(raw.decode("utf-8"), content_type(headers))
    except (UnicodeDecodeError, ValueError):  # not UTF-8; more fields than any ssl_check
        return False


def content_type(headers: dict[str, str]) -> str | None:
    """The media type without parameters, as Bolt extracts it."""
    value = headers.get("content-type")
    return value.split(";")[0].strip() if value else None


async def _read_body(receive: Receive) -> bytes | None:
    chunks = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return bytes(chunks)
        chunks.extend(message.get("body", b""))
        if len(chunks) > MAX_BODY_BYTES:
            return None
        if not message.get("more_body", False):
            return bytes(chunks)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _json(status: int, body: dict[str, Any]) -> Response:
    return status, [(b"content-type", b"application/json")], json.dumps(body).encode()
