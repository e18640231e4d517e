"""The fake Slack's workspace and Web API methods: each answers, and refuses, as Slack does.

The reference each method answers to is in `tests/contract/slack_api/` (Slack's OpenAPI spec
from slackapi/slack-api-specs and the current method pages copied in slack-ruby/slack-api-ref):
required arguments, and only error codes those pages list for the method. A missing required
argument gets the specific error the method documents for it (`channel_not_found`, `no_text`,
`message_not_found`, `user_not_found`, …) or `invalid_arguments`, as views.open answers.
Blocks Slack would refuse get `invalid_blocks`, views `invalid_arguments`, each with Slack's
`response_metadata.messages` (see `localdev.block_kit`).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any

from greenlight.core.request import is_slack_user_id
from localdev import fixtures
from localdev.block_kit import (
    blocks_too_long,
    decode,
    message_problems,
    text_problems,
    view_problems,
)

Json = dict[str, Any]
CONTENT = ("text", "blocks", "attachments", "markdown_text")  # one of them makes a message
MPIM_MOST = 8  # conversations.open: "too_many_users: Needs at most 8 users to open"
# A trigger opens a view only within 3 s of the click (views.open's `expired_trigger_id`, "The
# trigger_id is expired": tests/contract/slack_api/slack_api_ref/views.open.json;
# docs.slack.dev/interactivity/handling-user-interaction: it "expires in three seconds").
TRIGGER_LIFETIME_SECONDS = 3.0
VIEW_MAX_BYTES = 250_000  # views.open, views.publish: view_too_large, "greater than 250kb"


class SlackState:
    """Everything the fake workspace holds; all access under one lock."""

    def __init__(self, token: str, channels: frozenset[str] = frozenset()) -> None:
        self.token = token
        self.lock = threading.Lock()
        self.channels = {fixtures.CHANNEL_ID} | set(channels)
        self.messages: dict[str, Json] = {}  # ts -> message, across channels
        self.ephemerals: list[Json] = []
        self.views: list[Json] = []
        self.homes: dict[str, Json] = {}  # user id -> the Home tab view published for them
        self.exchanged: set[str] = set()  # trigger ids already used to open a view
        self.calls: list[Json] = []  # method, argument names, and Slack's answer
        self.dms: dict[str, str] = {}  # conversation id -> its users (comma-separated)
        self.dm_by_users: dict[str, str] = {}
        self._clock = itertools.count(1)

    def next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._clock):06d}"

    def snapshot(self) -> Json:
        with self.lock:
            return {
                "messages": sorted(self.messages.values(), key=lambda m: m["ts"]),
                "ephemerals": list(self.ephemerals),
                "views": list(self.views),
                "homes": dict(self.homes),
                "calls": list(self.calls),
                "dms": dict(self.dms),
            }


def ok(**fields: Any) -> Json:
    """Slack's success envelope."""
    return {"ok": True, **fields}


def err(error: str, messages: list[str] | None = None) -> Json:
    """Slack's error envelope; validation errors carry their reasons as Slack words them."""
    answer: Json = {"ok": False, "error": error}
    if messages:
        answer["errors"] = [m.removeprefix("[ERROR] ") for m in messages]
        answer["response_metadata"] = {"messages": messages}
    return answer


class WebApi:
    """The Web API methods, each a function of the state and the request's arguments."""

    def __init__(self, state: SlackState) -> None:
        self.s = state

    def call(self, method: str, args: Json) -> Json:
        handler = getattr(self, "m_" + method.replace(".", "_"), None)
        with self.s.lock:
            result: Json = handler(args) if handler else err("unknown_method")
            self.s.calls.append(
                {
                    "method": method,
                    "args": sorted(k for k in args if k != "token"),
                    "error": result.get("error"),
                }
            )
            return result

    def _message_refusal(self, a: Json) -> Json | None:
        """What chat.postMessage, chat.postEphemeral and chat.update refuse alike."""
        channel = a.get("channel")
        if not channel or channel not in self.s.channels:
            return err("channel_not_found")
        if not any(a.get(k) for k in CONTENT):
            return err("no_text")
        if "blocks" in a and not isinstance(decode(a["blocks"]), list):
            return err("invalid_blocks_format")
        if "blocks" in a and (problems := message_problems(a["blocks"])):
            return err("invalid_blocks", problems)
        return None

    def m_auth_test(self, _: Json) -> Json:
        return ok(
            url=f"https://{fixtures.TEAM_DOMAIN}.slack.com/",
            team=fixtures.TEAM_DOMAIN,
            user="greenlight",
            team_id=fixtures.TEAM_ID,
            user_id=fixtures.BOT_USER_ID,
            bot_id="B0GLBOT",
        )

    def m_chat_postMessage(self, a: Json) -> Json:  # Slack's method name
        if refusal := self._message_refusal(a) or _blocks_refusal(a):
            return refusal
        thread = a.get("thread_ts")
        if thread and thread not in self.s.messages:
            # Not in the method's documented errors, but what Slack answers for a reply to a
            # deleted message (Slack's maintainers in slackapi/bolt-js#2307).
            return err("thread_not_found")
        ts = self.s.next_ts()
        blocks = _blocks(a.get("blocks"))
        message = {
            "approval_id": _approval_id(blocks),
            "type": "message",
            "channel": a["channel"],
            "ts": ts,
            "user": fixtures.BOT_USER_ID,
            "text": a.get("text", ""),
            "blocks": blocks,
            "thread_ts": thread,
            "edited": None,
        }
        self.s.messages[ts] = message
        return ok(channel=a["channel"], ts=ts, message=message)

    def m_chat_update(self, a: Json) -> Json:
        if refusal := self._message_refusal(a):
            return refusal
        message = self.s.messages.get(str(a.get("ts", "")))
        if message is None or message["channel"] != a["channel"]:
            return err("message_not_found")
        if text_problems(a.get("text")):
            return err("msg_too_long")
        message["text"] = a.get("text", message["text"])
        if "blocks" in a:
            message["blocks"] = _blocks(a["blocks"])
            message["approval_id"] = message["approval_id"] or _approval_id(message["blocks"])
        message["edited"] = self.s.next_ts()
        return ok(channel=message["channel"], ts=message["ts"], text=message["text"])

    def m_chat_postEphemeral(self, a: Json) -> Json:  # Slack's method name
        if refusal := self._message_refusal(a):
            return refusal
        if not a.get("user"):
            return err("user_not_in_channel")
        ts = self.s.next_ts()
        self.s.ephemerals.append(
            {"channel": a["channel"], "user": a["user"], "text": a.get("text", ""), "ts": ts}
        )
        return ok(message_ts=ts)

    def m_views_open(self, a: Json) -> Json:
        if not (a.get("trigger_id") or a.get("interactivity_pointer")):
            return err("invalid_arguments", ["[ERROR] invalid `trigger_id`"])
        trigger = a.get("trigger_id")
        if trigger and trigger in self.s.exchanged:
            return err("exchanged_trigger_id")  # a trigger opens one view only
        view = decode(a.get("view"))
        if problems := view_problems(view):
            return err("invalid_arguments", problems)
        assert isinstance(view, dict)  # view_problems refuses anything else
        if _view_too_large(view):
            return err("view_too_large")
        if trigger and (expired := _trigger_refusal(str(trigger))):
            return expired
        if trigger:
            self.s.exchanged.add(str(trigger))
        opened = dict(view) | {"id": f"V{len(self.s.views) + 1:08d}", "hash": self.s.next_ts()}
        self.s.views.append({"trigger_id": trigger, "view": opened, "open": True})
        return ok(view=opened)

    def m_views_publish(self, a: Json) -> Json:
        """A Home tab for one user (slack_api_ref/views.publish.json): `user_id` and `view`
        required; a `hash` that is not the current view's is `hash_conflict`; the answer is the
        view with Slack's fields, as in the method's example response."""
        user = str(a.get("user_id") or "")
        if not is_slack_user_id(user):  # any member: tests make up many approvers
            return err("invalid_arguments", ["[ERROR] invalid `user_id`"])
        view = decode(a.get("view"))
        if problems := view_problems(view):
            return err("invalid_arguments", problems)
        assert isinstance(view, dict)  # view_problems refuses anything else
        if _view_too_large(view):
            return err("view_too_large")
        if view.get("type") != "home":
            return err("invalid_arguments", ["[ERROR] must be `home` [json-pointer:/view/type]"])
        current = self.s.homes.get(user)
        if a.get("hash") and (current is None or a["hash"] != current["hash"]):
            return err("hash_conflict")
        view_id = current["id"] if current else f"V{len(self.s.homes) + 1:08d}H"
        published = dict(view) | {
            "id": view_id,
            "team_id": fixtures.TEAM_ID,
            "hash": self.s.next_ts(),
            "app_id": fixtures.APP_ID,
            "bot_id": "B0GLBOT",
        }
        self.s.homes[user] = published
        return ok(view=published)

    def m_users_info(self, a: Json) -> Json:
        try:
            p = fixtures.person(str(a.get("user", "")))
        except KeyError:
            return err("user_not_found")
        profile = {"display_name": p.name, "email": f"{p.name}@example.invalid"}
        user = {"id": p.user_id, "name": p.name, "real_name": p.real_name, "deleted": False}
        return ok(user=user | {"is_bot": False, "profile": profile})

    def m_usergroups_users_list(self, a: Json) -> Json:
        users = fixtures.USERGROUPS.get(str(a.get("usergroup", "")))
        return ok(users=list(users)) if users is not None else err("no_such_subteam")

    def m_conversations_open(self, a: Json) -> Json:
        """Open (or resume) the app's DM with one user, or an MPIM with 2..8 (Slack's method
        page, tests/contract/slack_api/slack_api_ref/conversations.open.json): `users` or
        `channel`; the answer `{"ok": true, "channel": {"id": "D…"}}`, with `no_op` and
        `already_open` when the DM was open already. A deactivated user (`fixtures.DEACTIVATED`)
        is refused with the page's `user_disabled` ("A specified `user` has been disabled.");
        a malformed id with its `user_not_found`."""
        if a.get("channel"):
            channel = str(a["channel"])
            return (
                ok(channel={"id": channel}) if channel in self.s.dms else err("channel_not_found")
            )
        users = [u for u in str(a.get("users", "")).split(",") if u]
        if refusal := _users_refusal(users):
            return err(refusal)
        key = ",".join(users)
        opened = key in self.s.dm_by_users
        channel = self.s.dm_by_users.setdefault(key, _conversation_id(users))
        self.s.dms[channel] = key
        self.s.channels.add(channel)
        if opened:
            return ok(no_op=True, already_open=True, channel={"id": channel})
        return ok(channel={"id": channel})


def _blocks_refusal(a: Json) -> Json | None:
    """chat.postMessage's `msg_blocks_too_long` (its reference lists it; chat.update's does not):
    blocks whose texts together pass Slack's total (`localdev.block_kit.blocks_too_long`)."""
    return err("msg_blocks_too_long") if "blocks" in a and blocks_too_long(a["blocks"]) else None


def _view_too_large(view: Json) -> bool:
    """views.open's and views.publish's `view_too_large`: "the provided view is greater than
    250kb" (tests/contract/slack_api/slack_api_ref), read as 250,000 bytes of its JSON: the
    strictest reading, so nothing the fake opens could be refused by Slack for its size."""
    return len(json.dumps(view, ensure_ascii=False).encode()) > VIEW_MAX_BYTES


def trigger_minted_at(trigger: str) -> float | None:
    """When a trigger id was minted (seconds since the epoch), as `localdev.slack_requests.
    new_trigger_id` writes it (milliseconds, its first part); None for one in no such shape."""
    first = trigger.split(".", 1)[0]
    return int(first) / 1000 if first.isdigit() and trigger.count(".") == 2 else None


def _trigger_refusal(trigger: str) -> Json | None:
    """views.open's `invalid_trigger_id` (not in Slack's shape) or `expired_trigger_id` (minted
    more than `TRIGGER_LIFETIME_SECONDS` ago)."""
    minted = trigger_minted_at(trigger)
    if minted is None:
        return err("invalid_trigger_id")
    if time.time() - minted > TRIGGER_LIFETIME_SECONDS:
        return err("expired_trigger_id")
    return None


def _users_refusal(users: list[str]) -> str | None:
    """What conversations.open answers for `users` it will not open a conversation with."""
    if not users:
        return "users_list_not_supplied"
    if len(users) > MPIM_MOST:
        return "too_many_users"
    if not all(is_slack_user_id(u) for u in users):
        return "user_not_found"
    if any(u in fixtures.DEACTIVATED_IDS for u in users):
        return "user_disabled"
    return None


def _conversation_id(users: list[str]) -> str:
    """A 1:1 DM is `D` + the user id's tail (U0BOB -> D0BOB); a multi-person one a `G` id."""
    if len(users) == 1:
        return "D" + users[0][1:]
    return "G" + "".join(u[1:] for u in users)[:20]


def _approval_id(blocks: list[Json]) -> str | None:
    """The approval a message is about, from its buttons (the page links it to its workflow)."""
    for block in blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("value"):
                return str(element["value"])
    return None


def _blocks(blocks: Any) -> list[Json]:
    decoded = json.loads(blocks) if isinstance(blocks, str) else blocks
    return list(decoded or [])
