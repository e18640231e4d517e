"""A fake Slack Web API on loopback, speaking Slack's wire protocol for the methods we use.

`WebClient(base_url="http://127.0.0.1:8080/api/")` talks to it unchanged: POST, bearer token,
JSON or form bodies, `{"ok": …}` answers. `GET /_state` shows everything posted (for tests and
the demo); the clickable page is served here too once it exists.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Protocol

from localdev import fixtures
from localdev.http import JsonHandler

if TYPE_CHECKING:
    from collections.abc import Callable

Json = dict[str, Any]


class SlackState:
    """Everything the fake workspace holds; all access under one lock."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.lock = threading.Lock()
        self.messages: dict[str, Json] = {}  # ts -> message, across channels
        self.ephemerals: list[Json] = []
        self.views: list[Json] = []
        self.calls: list[str] = []
        self._clock = itertools.count(1)

    def next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._clock):06d}"

    def snapshot(self) -> Json:
        with self.lock:
            return {
                "messages": sorted(self.messages.values(), key=lambda m: m["ts"]),
                "ephemerals": list(self.ephemerals),
                "views": list(self.views),
                "calls": list(self.calls),
            }


def _ok(**fields: Any) -> Json:
    return {"ok": True, **fields}


def _err(error: str) -> Json:
    return {"ok": False, "error": error}


class WebApi:
    """The Web API methods, each a function of the state and the request's arguments."""

    def __init__(self, state: SlackState) -> None:
        self.s = state

    def call(self, method: str, args: Json) -> Json:
        handler = getattr(self, "m_" + method.replace(".", "_"), None)
        if handler is None:
            return _err("unknown_method")
        with self.s.lock:
            self.s.calls.append(method)
            result: Json = handler(args)
            return result

    def m_auth_test(self, _: Json) -> Json:
        return _ok(
            url=f"https://{fixtures.TEAM_DOMAIN}.slack.com/",
            team=fixtures.TEAM_DOMAIN,
            user="greenlight",
            team_id=fixtures.TEAM_ID,
            user_id=fixtures.BOT_USER_ID,
            bot_id="B0GLBOT",
        )

    def m_chat_postMessage(self, a: Json) -> Json:  # Slack's method name
        channel = a.get("channel")
        if not channel:
            return _err("channel_not_found")
        if not a.get("text") and not a.get("blocks"):
            return _err("no_text")
        thread = a.get("thread_ts")
        if thread and thread not in self.s.messages:
            return _err("thread_not_found")
        ts = self.s.next_ts()
        message = {
            "approval_id": _approval_id(a.get("blocks")),
            "type": "message",
            "channel": channel,
            "ts": ts,
            "user": fixtures.BOT_USER_ID,
            "text": a.get("text", ""),
            "blocks": _blocks(a.get("blocks")),
            "thread_ts": thread,
            "edited": None,
        }
        self.s.messages[ts] = message
        return _ok(channel=channel, ts=ts, message=message)

    def m_chat_update(self, a: Json) -> Json:
        message = self.s.messages.get(a.get("ts", ""))
        if message is None or message["channel"] != a.get("channel"):
            return _err("message_not_found")
        message["text"] = a.get("text", message["text"])
        if "blocks" in a:
            message["blocks"] = _blocks(a["blocks"])
            message["approval_id"] = message["approval_id"] or _approval_id(a["blocks"])
        message["edited"] = self.s.next_ts()
        return _ok(channel=message["channel"], ts=message["ts"], text=message["text"])

    def m_chat_postEphemeral(self, a: Json) -> Json:  # Slack's method name
        if not a.get("channel") or not a.get("user"):
            return _err("invalid_arguments")
        ts = self.s.next_ts()
        self.s.ephemerals.append(
            {"channel": a["channel"], "user": a["user"], "text": a.get("text", ""), "ts": ts}
        )
        return _ok(message_ts=ts)

    def m_views_open(self, a: Json) -> Json:
        view = a.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        if not a.get("trigger_id") or not isinstance(view, dict):
            return _err("invalid_arguments")
        opened = dict(view) | {"id": f"V{len(self.s.views) + 1:08d}", "hash": self.s.next_ts()}
        self.s.views.append({"trigger_id": a["trigger_id"], "view": opened, "open": True})
        return _ok(view=opened)

    def m_users_info(self, a: Json) -> Json:
        try:
            p = fixtures.person(a.get("user", ""))
        except KeyError:
            return _err("user_not_found")
        profile = {"display_name": p.name, "email": f"{p.name}@example.invalid"}
        user = {"id": p.user_id, "name": p.name, "real_name": p.real_name, "deleted": False}
        return _ok(user=user | {"is_bot": False, "profile": profile})

    def m_usergroups_users_list(self, a: Json) -> Json:
        users = fixtures.USERGROUPS.get(a.get("usergroup", ""))
        return _ok(users=list(users)) if users is not None else _err("no_such_subteam")

    def m_conversations_open(self, a: Json) -> Json:
        users = a.get("users", "")
        return _ok(channel={"id": "D" + users.replace(",", "")[1:12]}) if users else _err("no_user")


def _approval_id(blocks: Any) -> str | None:
    """The approval a message is about, from its buttons (the page links it to its workflow)."""
    for block in _blocks(blocks):
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("value"):
                return str(element["value"])
    return None


def _blocks(blocks: Any) -> list[Json]:
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return list(blocks or [])


class Page(Protocol):
    """The clickable page and its endpoints (`localdev.slack_page`), when this fake serves one."""

    def get(self, path: str) -> tuple[int, str, bytes] | None:
        """Answer a GET (status, content type, body), or None if the path is not the page's."""
        ...

    def post(self, path: str, body: Json) -> tuple[int, Json] | None:
        """Answer a POST, or None if the path is not the page's."""
        ...


def make_handler(api: WebApi, page: Page | None = None) -> type[BaseHTTPRequestHandler]:
    """The HTTP handler class bound to one fake workspace."""

    class Handler(JsonHandler):
        def do_GET(self) -> None:  # stdlib name
            if self.path == "/health":
                self._send(200, {"ok": True})
            elif self.path == "/_state":
                self._send(200, api.s.snapshot())
            elif page and (answer := page.get(urllib.parse.urlsplit(self.path).path)):
                self._send_raw(*answer)
            else:
                self._send(404, {"ok": False, "error": "not_found"})

        def do_POST(self) -> None:  # stdlib name
            raw = self.read_body()
            if page and not self.path.startswith("/api/"):
                body = _parse_args("application/json", raw)
                answer = page.post(self.path, body)
                self._send(*(answer or (404, {"ok": False, "error": "not_found"})))
                return
            if not self.path.startswith("/api/"):
                self._send(404, {"ok": False, "error": "not_found"})
                return
            args = _parse_args(self.headers.get("Content-Type", ""), raw)
            auth = self.headers.get("Authorization", "")
            token = (
                auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else args.get("token")
            )
            if token != api.s.token:
                self._send(200, _err("invalid_auth" if token else "not_authed"))
                return
            self._send(200, api.call(self.path.removeprefix("/api/"), args))

        def _send(self, status: int, body: Json) -> None:
            self.send_json(status, body)

        def _send_raw(self, status: int, content_type: str, data: bytes) -> None:
            self.send_bytes(status, content_type, data)

    return Handler


def _parse_args(content_type: str, raw: bytes) -> Json:
    if not raw:
        return {}
    if content_type.startswith("application/json"):
        try:
            parsed = json.loads(raw)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode("utf-8", "replace")).items()}


class FakeSlackServer(ThreadingHTTPServer):
    """The fake Slack's HTTP server; `state` is the workspace it serves."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        token: str,
        page: Callable[[SlackState], Page] | None = None,
    ) -> None:
        self.state = SlackState(token)
        super().__init__(
            address, make_handler(WebApi(self.state), page(self.state) if page else None)
        )


def serve(
    host: str, port: int, token: str, page: Callable[[SlackState], Page] | None = None
) -> FakeSlackServer:
    """Bind the fake Slack (not yet serving); call `serve_forever` on the result."""
    return FakeSlackServer((host, port), token, page)
