"""Every Web API call we make is one Slack documents: method, argument names, required ones.

Two views of the same calls, checked against `reference.py` (Slack's spec and method pages):
- statically, every `client.<method>(…)` in our code, its keyword arguments as written;
- on the wire, what reaches the fake Slack when each adapter method runs through the
  production client (`build_web_client`), with the largest request we allow.
The second must cover every method the first finds, so a new call site is checked or fails.
"""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from slack_sdk import WebClient

from greenlight.core import messages
from greenlight.core.home import PENDING_SHOWN, home_view
from greenlight.core.route import Channel
from greenlight.core.secret import Secret
from greenlight.core.votes import Status
from greenlight.slack.client import build_web_client
from greenlight.slack.notifier import SlackApprovalNotifier, SlackDirectory
from greenlight.webhook.home import HomeBoard
from greenlight.webhook.slack_board import SlackMessageBoard
from localdev import fake_slack, fixtures, slack_requests
from tests.contract.slack_api.reference import methods
from tests.unit.core.test_blocks import crowded

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[3]
OUR_CODE = ("src", "examples", "localdev", "bench")
TOKEN = "xoxb-contract-test-not-real"  # a dummy for the fake Slack


def api_method_of(client_method: str) -> str | None:
    """The Web API method a WebClient method calls (read from slack_sdk's own source)."""
    function = getattr(WebClient, client_method, None)
    if not callable(function) or client_method.startswith("_"):
        return None
    found = re.findall(r'api_call\(\s*"([\w.]+)"', inspect.getsource(function))
    return found[0] if len(found) == 1 else None


def call_sites() -> list[tuple[str, str, frozenset[str]]]:
    """(where, Web API method, keyword names) for every WebClient call in our code."""
    sites = []
    for package in OUR_CODE:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                method = api_method_of(node.func.attr)
                if method:
                    names = frozenset(str(k.arg) for k in node.keywords)  # **x shows as "None"
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    sites.append((where, method, names))
    return sites


def test_every_call_site_names_a_documented_method_with_documented_arguments() -> None:
    sites = call_sites()

    problems = [
        f"{where}: {problem}"
        for where, method, names in sites
        for problem in (
            methods()[method].problems(set(names) - {"None"})
            if method in methods()
            else [f"{method} is not in the reference"]
        )
    ] + [f"{where}: arguments passed as **kwargs" for where, _, names in sites if "None" in names]
    assert {m for _, m, _ in sites} >= {"chat.postMessage", "chat.update", "views.open"}
    assert problems == []


@pytest.fixture
def slack() -> Iterator[fake_slack.FakeSlackServer]:
    with fake_slack.running(TOKEN) as server:
        yield server


def test_what_reaches_slack_from_every_adapter_is_documented_and_accepted(
    slack: fake_slack.FakeSlackServer,
) -> None:
    # Given the production client, and the largest request we allow
    client = build_web_client(Secret(TOKEN), f"http://127.0.0.1:{slack.server_port}/api/")
    notifier = SlackApprovalNotifier(client, fixtures.CHANNEL_ID)
    board = SlackMessageBoard(client)
    pending = crowded(Status.PENDING)

    # When every adapter method that talks to Slack runs
    message = notifier.post_request(pending, Channel(fixtures.CHANNEL_ID))
    direct = notifier.post_direct(pending, fixtures.APPROVER_IDS[0])
    notifier.message_directly(fixtures.APPROVER_IDS[1], "order ord-1 was approved.")
    for status in Status:
        record = replace(crowded(status), slack=message, copies=(message, direct))
        notifier.update_request(record)
        for copy in record.posted_as():
            board.redraw_copy(record, copy)
    notifier.reply(message, messages.reminder(pending))
    notifier.announce(fixtures.CHANNEL_ID, messages.escalation(pending))
    notifier.notify(fixtures.PEOPLE[0].user_id, "order ord-1 was approved.", message)
    notifier.notify(fixtures.PEOPLE[0].user_id, "order ord-1 was approved.", None)
    SlackDirectory(client).members(fixtures.APPROVERS_GROUP)
    board.tell(fixtures.CHANNEL_ID, "U0BOB", messages.already_decided(crowded(Status.APPROVED)))
    board.ask_reason(slack_requests.new_trigger_id(), pending)  # a click's, minted now (3 s)
    queue = [replace(pending, approval_id=f"{n:022d}") for n in range(PENDING_SHOWN + 5)]
    done = [replace(crowded(s), approval_id=f"d{n:021d}") for n in range(15) for s in Status]
    HomeBoard(client).publish("U0BOB", home_view(queue, done, messages.vote_counted(pending)))

    # Then Slack accepted each call, and each is what Slack documents
    calls = slack.state.snapshot()["calls"]
    assert [c for c in calls if c["error"]] == []
    problems = [p for c in calls for p in methods()[c["method"]].problems(set(c["args"]))]
    assert problems == []
    assert {c["method"] for c in calls} >= {method for _, method, _ in call_sites()}
