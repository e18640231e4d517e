"""`Greenlight`: the services an approval needs, held once per container, and the gate over them.

    approvals = Greenlight.from_env()          # at import: DynamoDB store, Slack client
    decision = approvals.require_approval(ctx, request, policy=policy, route=Channel("C…"))

Tests and in-memory runs build it with the constructor instead, handing in their own store,
notifier, directory, clock and ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from greenlight.core.blocks import mention
from greenlight.core.buttons import check_label, new_approval_id
from greenlight.core.clock import utc_now
from greenlight.core.record import SlackMessage
from greenlight.core.route import is_direct_message_id
from greenlight.gate.gate import require_approval
from greenlight.gate.settings import GateSettings

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime

    from aws_durable_execution_sdk_python import DurableContext

    from greenlight.core.outcome import Decision
    from greenlight.core.policy import AutoApprove, Policy
    from greenlight.core.request import ApprovalRequest
    from greenlight.core.route import Route
    from greenlight.gate.ports import ApprovalNotifier, ApprovalStore, Directory


@dataclass(frozen=True, slots=True)
class Greenlight:
    """The approval gate and its collaborators (they satisfy `gate.ports.GateServices`).

    `requester` is the label the deployment gave the function (`GREENLIGHT_REQUESTER`): it
    leads every approval id the gate makes, so IAM can hold the function to its own approvals.
    `execution_timeout` is the function's durable execution timeout in seconds
    (`GREENLIGHT_EXECUTION_TIMEOUT`), when known: a ladder that would outlast it is refused."""

    approvals: ApprovalStore
    notifier: ApprovalNotifier
    directory: Directory
    clock: Callable[[], datetime] = utc_now
    new_id: Callable[[], str] = new_approval_id
    requester: str | None = None

    def __post_init__(self) -> None:
        # Checked once, when the container builds it, not first inside a durable operation
        if self.requester is not None:
            check_label(self.requester)

    execution_timeout: int | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Greenlight:
        """The real services, from `GREENLIGHT_*` variables: the DynamoDB store over the
        approvals and audit tables, and a Slack client whose bot token is read from Secrets
        Manager (`GREENLIGHT_SLACK_API_URL` points it at a local fake Slack), and the
        function's requester label (`GREENLIGHT_REQUESTER`, set by `grant_requester`) and its
        durable execution timeout (`GREENLIGHT_EXECUTION_TIMEOUT`, when the grant could read it).

        Call once per container, at import: it reads the secret.

        Raises:
            ConfigError: a variable is missing, or the secret lacks the bot token.
            botocore.exceptions.NoRegionError: no AWS region (Lambda always sets one).
            aws_lambda_powertools.utilities.parameters.exceptions.GetParameterError: the secret
                could not be read (no credentials, no such secret, access denied: the cause is
                in its message); passed through, since a transient failure is no config error.
        """
        import boto3  # noqa: PLC0415  # the adapters load only for real services

        from greenlight.aws.approval_store import DynamoApprovalStore  # noqa: PLC0415
        from greenlight.aws.secrets import load_bot_token  # noqa: PLC0415
        from greenlight.slack.client import build_web_client  # noqa: PLC0415
        from greenlight.slack.notifier import (  # noqa: PLC0415
            SlackApprovalNotifier,
            SlackDirectory,
        )

        settings = GateSettings.from_env(env)
        dynamodb = boto3.client("dynamodb")
        # The bot token's secret only: a requester never holds the signing secret
        client = build_web_client(
            load_bot_token(settings.slack_secret_name), settings.slack_api_url
        )
        return cls(
            approvals=DynamoApprovalStore(dynamodb, settings.approvals_table, settings.audit_table),
            notifier=SlackApprovalNotifier(client),
            directory=SlackDirectory(client),
            requester=settings.requester,
            execution_timeout=settings.execution_timeout,
        )

    def require_approval(
        self,
        ctx: DurableContext,
        request: ApprovalRequest,
        *,
        policy: Policy | AutoApprove,
        route: Route,
        name: str = "approval",
    ) -> Decision:
        """Ask people to decide `request` and wait, durably, for their decision.

        Runs as a child context named `name` (give each approval in one workflow its own
        name). A rejection or an expiry is a `Decision` like an approval, never an exception.

        Args:
            ctx: the workflow's durable context (or a parallel branch's).
            request: what to decide, shown to approvers; its `context` comes back.
            policy: who decides and how (`Policy`), or `AutoApprove(reason)`.
            route: where to ask: `Channel(id)`, `DirectMessages()` (a copy to each approver
                who is pinged) or `ChannelAndDirectMessages(id)`.
            name: the child context's name in the execution's history.

        Returns:
            The decision: status, votes, deciders, reason, the request's context, the message.

        Raises:
            InvalidRequestError: a wrong argument, or a ladder that expires only after the
                function's durable execution would have timed out (`execution_timeout`);
                refused before any durable operation.
            ChildContextError: a true error (Slack or the store down past the step retries).
        """
        return require_approval(
            ctx,
            self,
            request,
            policy=policy,
            route=route,
            name=name,
            execution_timeout=self.execution_timeout,
        )

    def notify(self, user_id: str, text: str, *, where: SlackMessage | Route) -> None:
        """Tell `user_id` something in a request's thread, or in a channel (mentioning them).

        Plain I/O: call it inside your own step, so a replay does not say it twice.
        """
        if isinstance(where, SlackMessage) and is_direct_message_id(where.channel):
            # Someone else's DM copy (a DM-routed request's main message): not a thread
            # `user_id` can read, so they are told in their own DM.
            self.notifier.message_directly(user_id, text)
        elif isinstance(where, SlackMessage):
            self.notifier.notify(user_id, text, where)
        elif where.channel_id is not None:
            self.notifier.announce(where.channel_id, f"{mention(user_id)} {text}")
        else:  # a route of direct messages only: tell them in theirs
            self.notifier.message_directly(user_id, text)
