"""The same webhook through Mangum, as Lambda runs it behind a Function URL."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from mangum import Mangum

from greenlight.core.votes import Status
from greenlight.webhook.build import build_webhook
from localdev.provision import put_slack_secrets
from localdev.slack_requests import block_actions, form, signed_headers
from tests.events import function_url_event
from tests.integration.conftest import (
    BOT_TOKEN,
    SECRETS,
    SIGNING_SECRET,
    post_pending,
)

if TYPE_CHECKING:
    from mangum.types import LambdaCognitoIdentity, LambdaMobileClientContext

    from greenlight.core.record import ApprovalRecord
    from greenlight.webhook.asgi import SlackWebhook
    from tests.integration.conftest import Stack


class LambdaContext:
    """Lambda's context object, as the runtime hands it to the handler."""

    function_name = "greenlight-webhook"
    function_version = "1"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:greenlight-webhook:live"
    memory_limit_in_mb = 512
    aws_request_id = "00000000-0000-4000-8000-000000000001"
    log_group_name = "/aws/lambda/greenlight-webhook"
    log_stream_name = "2026/11/22/[1]0123456789abcdef"
    identity: LambdaCognitoIdentity | None = None
    client_context: LambdaMobileClientContext | None = None

    def get_remaining_time_in_millis(self) -> int:
        return 3000


def invoke(asgi: SlackWebhook, event: dict[str, Any]) -> dict[str, Any]:
    """Build `Mangum(asgi)` and call it on one fresh thread, as a Lambda container imports its
    handler and then invokes it on the same thread (Mangum sets up its event loop when built)."""

    def lambda_container() -> dict[str, Any]:
        handler = Mangum(asgi, lifespan="off")
        result: dict[str, Any] = handler(event, LambdaContext())
        return result

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda_container).result()


def carol_approves(record: ApprovalRecord) -> str:
    """The form body of Carol's Approve click on `record`'s message, as Slack posts it."""
    assert record.slack is not None
    return form(
        block_actions(
            action_id="approve",
            approval_id=record.approval_id,
            user_id="U0CAROL",
            channel_id=record.slack.channel,
            message_ts=record.slack.ts,
        )
    )


def test_base64_function_url_click_is_verified_over_the_raw_bytes(stack: Stack) -> None:
    # Given the Lambda handler as deployed, and a click delivered base64-encoded
    asgi = build_webhook(stack.settings)
    record = post_pending(stack)
    assert record.slack is not None
    body = carol_approves(record)

    # When Lambda invokes it
    response = invoke(asgi, function_url_event(body, signed_headers(SIGNING_SECRET, body)))

    # Then the signature verified over the decoded bytes and the vote decided
    assert response["statusCode"] == 200
    assert stack.store.get(record.approval_id).status is Status.APPROVED
    assert [k for k, cid, _ in stack.callbacks.sent() if cid == record.callback_id] == ["succeed"]


def test_function_url_request_with_a_bad_signature_is_401(stack: Stack) -> None:
    asgi = build_webhook(stack.settings)
    record = post_pending(stack)
    body = "payload=" + json.dumps({"type": "block_actions"})
    headers = signed_headers("some-other-secret", body)

    response = invoke(asgi, function_url_event(body, headers))

    assert response["statusCode"] == 401
    assert stack.store.get(record.approval_id).status is Status.PENDING


def test_a_rotated_signing_secret_is_picked_up_by_a_warm_container(stack: Stack) -> None:
    # Given a warm webhook that read the secret at start, and an operator who then rotated it
    asgi = build_webhook(stack.settings)
    secrets = boto3.client("secretsmanager")
    rotated = "rotated-signing-secret-not-real"
    put_slack_secrets(secrets, SECRETS, BOT_TOKEN, rotated)
    try:
        record = post_pending(stack)
        assert record.slack is not None
        body = carol_approves(record)

        # When Slack signs a click with the new secret, and later someone replays the old one
        new = invoke(asgi, function_url_event(body, signed_headers(rotated, body)))
        old = invoke(asgi, function_url_event(body, signed_headers(SIGNING_SECRET, body)))
    finally:
        put_slack_secrets(secrets, SECRETS, BOT_TOKEN, SIGNING_SECRET)

    # Then the new signature counts without a new container, and the old one no longer does
    assert new["statusCode"] == 200
    assert stack.store.get(record.approval_id).status is Status.APPROVED
    assert old["statusCode"] == 401


def test_a_rotated_bot_token_is_used_from_the_request_that_picks_up_the_secret(
    stack: Stack,
) -> None:
    # Given a warm webhook, and an operator who reinstalled the app: Slack now accepts only a new
    # bot token and signs with a new secret, both stored with set-slack-secret.sh
    asgi = build_webhook(stack.settings)
    secrets = boto3.client("secretsmanager")
    token, signing = "xoxb-rotated-not-real", "rotated-signing-secret-not-real"
    put_slack_secrets(secrets, SECRETS, token, signing)
    record = post_pending(stack)  # posted with the old token, before Slack revoked it
    assert record.slack is not None
    stack.slack.token = token
    try:
        body = carol_approves(record)
        # When Slack delivers a click signed with the new secret
        response = invoke(asgi, function_url_event(body, signed_headers(signing, body)))
        redraws = [c for c in stack.slack.snapshot()["calls"] if c["method"] == "chat.update"]
    finally:
        stack.slack.token = BOT_TOKEN
        put_slack_secrets(secrets, SECRETS, BOT_TOKEN, SIGNING_SECRET)

    # Then the same container decided it and redrew the message with the new token
    assert response["statusCode"] == 200
    assert stack.store.get(record.approval_id).status is Status.APPROVED
    assert redraws[-1]["error"] is None
    message = next(m for m in stack.slack.snapshot()["messages"] if m["ts"] == record.slack.ts)
    assert all(b["type"] != "actions" for b in message["blocks"])


def test_a_secret_that_cannot_be_read_fails_the_cold_start(stack: Stack) -> None:
    # The first read runs on a worker thread while the rest is built: its failure still
    # reaches Lambda's init (no webhook that would refuse every click with a 500)
    with pytest.raises(GetParameterError):
        build_webhook(replace(stack.settings, slack_secret_name="greenlight/never-stored"))


def test_a_cold_start_logs_no_warning(stack: Stack, caplog: pytest.LogCaptureFixture) -> None:
    # An operator reads every WARNING in CloudWatch as something to fix; a cold start has none.
    with caplog.at_level(logging.WARNING):
        build_webhook(stack.settings)

    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
