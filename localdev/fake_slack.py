"""A fake Slack Web API on loopback, speaking Slack's wire protocol for the methods we use.

`WebClient(base_url="http://127.0.0.1:8080/api/")` talks to it unchanged: POST, bearer token,
JSON or form bodies, `{"ok": …}` answers, and the refusals real Slack gives (see
`localdev.slack_web_api`). `GET /_state` shows everything posted and every call made (for
tests and the demo); the clickable page is served here too.

Faults, for tests of what we do when Slack will not cooperate: `POST /_faults` with
`{"method": "chat.update", "error": "ratelimited", "times": 2, "retry_after": 1}` makes the
next two calls of that method fail as Slack fails them. `ratelimited` answers HTTP 429 with
`Retry-After` and `{"ok": false, "error": "ratelimited"}` (docs.slack.dev/apis/web-api/
rate-limits; the same answer slackapi/python-slack-sdk's own mock server gives in
tests/slack_sdk/web/mock_web_api_handler.py); any other code answers 200 with that error.
A fault with `delay_ms` (1 to 5000) is answered that much later, as Slack answers when it is
slow: `{"method": "chat.update", "delay_ms": 200, "times": 40}` delays the next forty
chat.update calls, each then answered as usual (or, with an `error` too, refused after the
delay). Bounded, so a test cannot hang the fake; each call waits on its own request thread.
`DELETE /_faults` clears them.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Protocol

from localdev.http import JsonHandler
from localdev.slack_web_api import SlackState, WebApi, err

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["FakeSlackServer", "Faults", "Page", "SlackState", "WebApi", "running", "serve"]

Json = dict[str, Any]
HTTP_TOO_MANY_REQUESTS = 429
MAX_DELAY_MS = 5000  # a slow Slack, not a hung one: slack.client's own timeout is 5 s


@dataclass
class Fault:
    """The next `times` calls of `method` fail with `error` (None: answered as usual), each
    `delay_ms` late."""

    method: str
    error: str | None
    times: int = 1
    retry_after: int = 1
    delay_ms: int = 0


class Faults:
    """Injected failures, consumed call by call; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._pending.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()

    def take(self, method: str) -> Fault | None:
        """The fault this call of `method` meets, if any (and one use of it spent)."""
        with self._lock:
            for fault in self._pending:
                if fault.method in (method, "*") and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None


def parse_fault(body: Json) -> Fault:
    """A fault from its JSON description.

    Raises:
        ValueError: a missing method, neither an error nor a delay, counts that are not
            positive integers, or a delay past `MAX_DELAY_MS`.
    """
    method, error = body.get("method"), body.get("error")
    times, retry_after = body.get("times", 1), body.get("retry_after", 1)
    delay_ms = body.get("delay_ms")
    if not isinstance(method, str) or not method:
        raise ValueError("a fault needs a method (or '*')")
    if error is not None and (not isinstance(error, str) or not error):
        raise ValueError("a fault's error is a Slack error code")
    if error is None and delay_ms is None:
        raise ValueError("a fault needs an error code, a delay_ms, or both")
    counts = (times, retry_after, 1 if delay_ms is None else delay_ms)
    if not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in counts):
        raise ValueError("times, retry_after and delay_ms must be positive integers")
    if delay_ms is not None and delay_ms > MAX_DELAY_MS:
        raise ValueError(f"delay_ms is at most {MAX_DELAY_MS}")
    return Fault(method, error, times, retry_after, delay_ms or 0)


class Page(Protocol):
    """The clickable page and its endpoints (`localdev.slack_page`), when this fake serves one."""

    def get(self, path: str) -> tuple[int, str, bytes] | None:
        """Answer a GET (status, content type, body), or None if the path is not the page's."""
        ...

    def post(self, path: str, body: Json) -> tuple[int, Json] | None:
        """Answer a POST, or None if the path is not the page's."""
        ...


def make_handler(
    api: WebApi, faults: Faults, page: Page | None = None
) -> type[BaseHTTPRequestHandler]:
    """The HTTP handler class bound to one fake workspace."""

    class Handler(JsonHandler):
        def do_GET(self) -> None:  # stdlib name
            if self.path == "/health":
                self.send_json(200, {"ok": True})
            elif self.path == "/_state":
                self.send_json(200, api.s.snapshot())
            elif page and (answer := page.get(urllib.parse.urlsplit(self.path).path)):
                self.send_bytes(*answer)
            else:
                self.send_json(404, err("not_found"))

        def do_DELETE(self) -> None:  # stdlib name
            self.read_body()
            if self.path == "/_faults":
                faults.clear()
                self.send_json(200, {"ok": True})
            else:
                self.send_json(404, err("not_found"))

        def do_POST(self) -> None:  # stdlib name
            raw = self.read_body()
            if self.path == "/_faults":
                self._add_fault(raw)
            elif self.path.startswith("/api/"):
                self._web_api(self.path.removeprefix("/api/"), raw)
            elif page and (answer := page.post(self.path, _json_object(raw) or {})):
                self.send_json(*answer)
            else:
                self.send_json(404, err("not_found"))

        def _add_fault(self, raw: bytes) -> None:
            try:
                faults.add(parse_fault(_json_object(raw) or {}))
            except ValueError as problem:
                self.send_json(400, {"ok": False, "error": str(problem)})
                return
            self.send_json(200, {"ok": True})

        def _web_api(self, method: str, raw: bytes) -> None:
            content_type = self.headers.get("Content-Type", "")
            args = _parse_args(content_type, raw)
            auth = self.headers.get("Authorization", "")
            token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
            if isinstance(args, str):  # a body Slack cannot read
                self.send_json(200, err(args))
                return
            token = token or args.get("token")
            if token != api.s.token:
                self.send_json(200, err("invalid_auth" if token else "not_authed"))
                return
            fault = faults.take(method)
            if fault and fault.delay_ms:
                time.sleep(fault.delay_ms / 1000)  # this request's thread only
            if fault and fault.error == "ratelimited":
                headers = {"Retry-After": str(fault.retry_after)}
                self.send_json(HTTP_TOO_MANY_REQUESTS, err("ratelimited"), headers)
            elif fault and fault.error:
                self.send_json(200, err(fault.error))
            else:
                self.send_json(200, api.call(method, args))

    return Handler


def _json_object(raw: bytes) -> Json | None:
    try:
        parsed = json.loads(raw or b"{}")
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _parse_args(content_type: str, raw: bytes) -> Json | str:
    """The call's arguments, or the error Slack answers for a body it cannot read.

    Error codes from the Web API spec's common errors: `invalid_json`, `json_not_object`.
    """
    if content_type.startswith("application/json"):
        try:
            parsed = json.loads(raw or b"{}")
        except ValueError:
            return "invalid_json"
        return parsed if isinstance(parsed, dict) else "json_not_object"
    text = raw.decode("utf-8", "replace")
    return {k: v[-1] for k, v in urllib.parse.parse_qs(text, keep_blank_values=True).items()}


class FakeSlackServer(ThreadingHTTPServer):
    """The fake Slack's HTTP server; `state` is the workspace it serves, `faults` its faults."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        token: str,
        page: Callable[[SlackState], Page] | None = None,
        channels: frozenset[str] = frozenset(),
    ) -> None:
        self.state = SlackState(token, channels)
        self.faults = Faults()
        super().__init__(
            address,
            make_handler(WebApi(self.state), self.faults, page(self.state) if page else None),
        )


def serve(
    host: str,
    port: int,
    token: str,
    page: Callable[[SlackState], Page] | None = None,
    channels: frozenset[str] = frozenset(),
) -> FakeSlackServer:
    """Bind the fake Slack (not yet serving); call `serve_forever` on the result.

    The workspace has the approvals channel (`fixtures.CHANNEL_ID`) and `channels`; posting
    anywhere else is `channel_not_found`, as it is for a channel the app is not in.
    """
    return FakeSlackServer((host, port), token, page, channels)


@contextmanager
def running(token: str) -> Iterator[FakeSlackServer]:
    """The fake Slack on a free loopback port, answering on a background thread until the
    block ends (tests: each starts its own workspace)."""
    server = serve("127.0.0.1", 0, token)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
