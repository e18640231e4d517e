"""The webhook's cold start loads what its requests use, and nothing of the gate.

The deployed entry point (`greenlight.webhook.handler`) is imported in a fresh interpreter
against the local stack, as a Lambda container imports it; then it serves, through its Lambda
`handler`, one request of every kind the webhook answers: a button click that decides, the
reject and the approve-with-comment modals (opened, then submitted), the App Home opened and
a click in it, and the `/approvals` command (a listing, then a delegation). Cold start is
measured (`bench.run --cold-start`): what the gate alone uses must not be loaded there, and
what the webhook uses must not be left for the first click to load.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import IO, TYPE_CHECKING, Any

from greenlight.core.votes import Status
from greenlight.webhook.settings import (
    ENV_APPROVALS_TABLE,
    ENV_AUDIT_TABLE,
    ENV_DELEGATIONS_TABLE,
    ENV_SLACK_API_URL,
    ENV_SLACK_APP_ID,
    ENV_SLACK_SECRET_NAME,
    ENV_SLACK_SIGNING_SECRET_NAME,
    ENV_SLACK_TEAM_ID,
)
from localdev.slack_corpus import form, signature_headers
from localdev.slack_requests import (
    app_home_opened,
    home_click,
    signed_headers,
    slash_command,
    view_submission,
)
from tests.events import function_url_event
from tests.integration.conftest import SIGNING_SECRET, click_payload, post_pending
from tests.integration.test_app_home import home_of, opened_by
from tests.integration.test_delegation import UNTIL

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.integration.conftest import Stack

# What only the durable side (or an operator, a CDK app, the stream relay) uses: never loaded
# by the webhook.
NOT_THE_WEBHOOKS = (
    "greenlight.gate",
    "greenlight.ops",
    "greenlight.cdk",
    "greenlight.testing",
    "greenlight.core.policy",  # Policy, Tiers, AutoApprove: what a workflow passes
    "greenlight.core.ladder",
    "greenlight.core.route",
    "greenlight.core.outcome",  # Decision: what the gate reads back from the callback
    "greenlight.core.audit",  # audit lines: written by the gate and the relay
    "greenlight.core.vote_audit",
    "greenlight.webhook.relay",
    "aws_durable_execution_sdk_python",
)

# A Lambda container: import the entry point once, then invoke its handler per event (one
# JSON line in, one out), reporting which of our modules are loaded after each step. Its
# answers start with "@@": Powertools writes log and metric lines to stdout too.
CONTAINER = """
import json, sys
import greenlight.webhook.handler as entry

class Context:
    function_name = "greenlight-webhook"
    function_version = "1"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:greenlight-webhook"
    memory_limit_in_mb = 512
    aws_request_id = "00000000-0000-4000-8000-000000000001"
    log_group_name = "/aws/lambda/greenlight-webhook"
    log_stream_name = "2026/11/30/[1]0123456789abcdef"
    def get_remaining_time_in_millis(self):
        return 3000

def loaded():
    return sorted(m for m in sys.modules if m.startswith(("greenlight", "aws_durable")))

print("@@", json.dumps({"loaded": loaded()}), flush=True)
for line in sys.stdin:
    response = entry.handler(json.loads(line), Context())
    answer = {"status": response["statusCode"], "body": response.get("body"), "loaded": loaded()}
    print("@@", json.dumps(answer), flush=True)
"""


class Container:
    """The webhook's Lambda entry point in its own interpreter, one request at a time."""

    def __init__(self, stack: Stack) -> None:
        settings = stack.settings
        assert settings.slack_api_url is not None
        assert settings.delegations_table is not None
        assert settings.slack_signing_secret_name is not None
        env = os.environ | {
            ENV_APPROVALS_TABLE: settings.approvals_table,
            ENV_AUDIT_TABLE: settings.audit_table,
            ENV_SLACK_SECRET_NAME: settings.slack_secret_name,
            ENV_SLACK_SIGNING_SECRET_NAME: settings.slack_signing_secret_name,
            ENV_SLACK_API_URL: settings.slack_api_url,
            ENV_SLACK_APP_ID: settings.slack_app_id,
            ENV_SLACK_TEAM_ID: settings.slack_team_id,
            ENV_DELEGATIONS_TABLE: settings.delegations_table,
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }
        self._process = subprocess.Popen(
            [sys.executable, "-c", CONTAINER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self._reader = ThreadPoolExecutor(max_workers=1)
        self.loaded_at_init: list[str] = self._answer()["loaded"]

    def _answer(self) -> dict[str, Any]:
        stdout: IO[str] | None = self._process.stdout
        assert stdout is not None
        while True:
            line = self._reader.submit(stdout.readline).result(timeout=60)
            assert line, f"the container stopped (exit code {self._process.poll()})"
            if line.startswith("@@ "):
                answer: dict[str, Any] = json.loads(line.removeprefix("@@ "))
                return answer

    def invoke(self, body: str, headers: dict[str, str]) -> dict[str, Any]:
        """One Function URL request; its status, body, and the modules loaded after it."""
        stdin = self._process.stdin
        assert stdin is not None
        stdin.write(json.dumps(function_url_event(body, headers)) + "\n")
        stdin.flush()
        return self._answer()

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        finally:
            if self._process.poll() is None:
                self._process.kill()
            self._reader.shutdown(wait=False)


def interactive(container: Container, payload: dict[str, Any]) -> dict[str, Any]:
    body = form(payload)
    return container.invoke(body, signed_headers(SIGNING_SECRET, body))


def requests_of_every_kind(stack: Stack, container: Container) -> Iterator[dict[str, Any]]:
    """Serve each kind of request the webhook answers; yield each answer as it comes."""
    approved, rejected, commented, from_home = (post_pending(stack) for _ in range(4))
    # A one-click approve that decides: the vote, the callback, the metrics, the redraw
    yield interactive(container, click_payload(approved, "U0CAROL", "approve"))
    # Reject: the modal opens, then its submission decides
    opening = click_payload(rejected, "U0BOB", "reject")
    yield interactive(container, opening)
    view = opened_by(stack, opening)
    yield interactive(container, view_submission(view=view, user_id="U0BOB", reason="no budget"))
    # Approve with comment: the modal opens, then its submission decides
    opening = click_payload(commented, "U0CAROL", "approve_comment")
    yield interactive(container, opening)
    view = opened_by(stack, opening)
    values = {"comment": "fine by me"}
    yield interactive(container, view_submission(view=view, user_id="U0CAROL", values=values))
    # The App Home: opened (an Events API body), then a click in it
    opened = app_home_opened("U0BOB")
    headers = {"Content-Type": "application/json"} | signature_headers(SIGNING_SECRET, opened)
    yield container.invoke(opened, headers)
    home = home_of(stack, "U0BOB")
    assert home is not None
    yield interactive(
        container,
        home_click(
            action_id="approve",
            approval_id=from_home.approval_id,
            user_id="U0BOB",
            view=home,
        ),
    )
    # The command: what waits on me, then a delegation
    for text in ("", f"delegate <@U0DAVE|dave> until {UNTIL}"):
        body = slash_command("/approvals", "U0BOB", text)
        yield container.invoke(body, signed_headers(SIGNING_SECRET, body))
    # Every request did what it should (so each path really ran)
    assert stack.store.get(approved.approval_id).status is Status.APPROVED
    assert stack.store.get(rejected.approval_id).reason == "no budget"
    vote = stack.store.get(commented.approval_id).vote_of("U0CAROL")
    assert vote is not None
    assert vote.comment == "fine by me"
    assert stack.store.get(from_home.approval_id).status is Status.APPROVED


def test_the_webhook_loads_at_init_all_its_requests_use_and_nothing_of_the_gate(
    stack: Stack,
) -> None:
    # Given the webhook's entry point imported and initialized in a fresh interpreter
    container = Container(stack)
    try:
        at_init = set(container.loaded_at_init)
        # Then nothing only the gate uses was loaded
        assert "greenlight.webhook.handler" in at_init
        assert sorted(m for m in at_init if m.startswith(NOT_THE_WEBHOOKS)) == []

        # When it serves one request of every kind
        answers = list(requests_of_every_kind(stack, container))

        # Then each was answered, and none loaded a module of ours the init had not loaded
        assert [a["status"] for a in answers] == [200] * len(answers)
        assert "delegate" in answers[-1]["body"]
        assert [sorted(set(a["loaded"]) - at_init) for a in answers] == [[]] * len(answers)
    finally:
        container.close()
