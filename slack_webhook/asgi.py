"""A thin ASGI front for the Bolt app, the same under Mangum on Lambda and under uvicorn locally.

Bolt parses the body before it verifies the signature, so a malformed request would surface as
a 500; this front refuses such requests with a 4xx first, and runs Bolt's synchronous dispatch
in a worker thread so concurrent clicks are served concurrently.
"""

from __future__ import annotations

import asyncio
import json
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_bolt.request import BoltRequest

from slack_webhook.payloads import shape_problem

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, MutableMapping

    from slack_bolt import App
    from slack_sdk.signature import SignatureVerifier

    from slack_webhook.rotation import RotatingCredentials

    Scope = MutableMapping[str, Any]
    Message = MutableMapping[str, Any]
    Receive = Callable[[], Awaitable[Message]]
    Send = Callable[[Message], Awaitable[None]]

Response = tuple[int, list[tuple[bytes, bytes]], bytes]
MAX_BODY_BYTES = 64 * 1024  # Slack payloads are a few KB; refuse anything far larger
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/health"


@dataclass(frozen=True, slots=True)
class Wiring:
    """What depends on the Slack secret: Bolt's app (and its client) and the signature check."""

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
        problem = envelope_problem(headers, raw)
        if problem:
            return _json(problem[0], {"error": problem[1]})
        text = raw.decode("utf-8")
        # Verified here as well as in Bolt: an unsigned request must learn nothing, not even
        # whether its payload is well formed.
        wired = await self._verified(raw, headers)
        if wired is None:
            return _json(401, {"error": "invalid request"})
        if shape := shape_problem(urllib.parse.parse_qs(text)):
            return _json(400, {"error": shape})
        try:
            request = BoltRequest(
                body=text,
                query=scope.get("query_string", b"").decode("latin-1"),
                headers=headers,
            )
        except Exception:  # noqa: BLE001  # Bolt raises bare errors on bodies it cannot parse
            return _json(400, {"error": "unreadable body"})
        response = await asyncio.to_thread(wired.app.dispatch, request)
        out = [(k.encode(), v.encode()) for k, values in response.headers.items() for v in values]
        return response.status, out, response.body.encode()

    async def _verified(self, raw: bytes, headers: dict[str, str]) -> Wiring | None:
        """The wiring whose signing secret signed this request, or None: unsigned."""
        signature, timestamp = headers["x-slack-signature"], headers["x-slack-request-timestamp"]
        wired = self._wiring.current
        if wired.verifier.is_valid(raw, timestamp, signature):
            return wired
        # Perhaps the secret was rotated under this container: read it again (rate-limited).
        if await asyncio.to_thread(self._wiring.refresh):
            wired = self._wiring.current
            if wired.verifier.is_valid(raw, timestamp, signature):
                return wired
        return None


def envelope_problem(headers: dict[str, str], raw: bytes) -> tuple[int, str] | None:
    """Refuse what Bolt would turn into a 500: missing or malformed signing headers, bad bytes."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    if not headers.get("x-slack-signature") or not timestamp:
        return 401, "invalid request"
    if not timestamp.isascii() or not timestamp.isdigit():
        return 401, "invalid request"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return 400, "body is not UTF-8"
    return None


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
