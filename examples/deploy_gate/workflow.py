"""The deploy gate: check, ask the on-call, ask a release manager, deploy, report.

A "no" and an expiry are answers, not errors: each ends the execution successfully with its
status (`rejected`, `expired`), who decided and why, and nothing deployed. A failed check ends it
`blocked` before anyone is bothered. Staging deploys skip the people. The requester hears how it
ended in the on-call request's thread (or in the channel when nobody was asked). Step and gate
names are stable literals: renaming or reordering them breaks executions in flight.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aws_durable_execution_sdk_python import durable_execution
from aws_durable_execution_sdk_python.config import StepConfig
from aws_durable_execution_sdk_python.retries import RetryPresets
from aws_lambda_powertools import Logger

from examples.deploy_gate.asks import ONCALL, RELEASE, oncall_ask, release_ask
from examples.deploy_gate.deploy import CHECKS, CheckResult, DeployRequest, parse_deploy, run_check
from greenlight.core import Channel, utc_now

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from aws_durable_execution_sdk_python import DurableContext

    from examples.deploy_gate.settings import DeploySettings
    from greenlight.core import Decision
    from greenlight.gate import Greenlight

    Clock = Callable[[], datetime]
    Deployer = Callable[[DeployRequest, datetime], dict[str, Any]]

STEP_VALIDATE = "validate deploy"
STEP_CHECK = "check {}"  # one step per check: "check ci green", "check change window"
STEP_DEPLOY = "deploy"
STEP_REPORT = "report"
# Validating and checking decide from the request alone: a retry would decide the same.
NO_RETRY = StepConfig(retry_strategy=RetryPresets.none())
# The deploy: a transient failure is tried again (a real deployer is idempotent by service and
# version, as CodeDeploy deployments and `kubectl apply` are). The report is a Slack message.
RETRY_TRANSIENT = StepConfig(retry_strategy=RetryPresets.transient())

logger = Logger()


def record_deploy(deploy: DeployRequest, now: datetime) -> dict[str, Any]:
    """The local stand-in for a deployer: it records what would ship, and when.

    Replace it with the call to your deployer (CodeDeploy, a pipeline, `kubectl`); its result
    is kept as the step's result, so a replay never deploys twice.
    """
    return {
        "deployment_id": f"{deploy.service}-{deploy.version}-{deploy.environment}",
        "deployed_at": now.isoformat(),
    }


@dataclass(frozen=True, slots=True)
class DeployGate:
    """What one deploy gate runs with: Greenlight, its settings, a clock and the deployer."""

    approvals: Greenlight
    settings: DeploySettings
    clock: Clock = utc_now
    deployer: Deployer = record_deploy


def make_handler(gate: DeployGate) -> Callable[[Any, Any], Any]:
    """The durable Lambda handler (tests pass Greenlight over in-memory parts)."""

    @durable_execution
    def handle(event: Any, context: DurableContext) -> dict[str, Any]:
        context.set_logger(logger)
        return gate_deploy(event, context, gate)

    return handle


def gate_deploy(event: Any, ctx: DurableContext, gate: DeployGate) -> dict[str, Any]:
    """Run one deploy request to its end and say what happened."""
    deploy = parse_deploy(
        ctx.step(lambda _: parse_deploy(event).to_dict(), name=STEP_VALIDATE, config=NO_RETRY)
    )

    def check(name: str) -> Callable[[Any], dict[str, Any]]:
        return lambda _: run_check(name, deploy, gate.settings, gate.clock()).to_dict()

    checks = [
        CheckResult(**ctx.step(check(name), name=STEP_CHECK.format(name), config=NO_RETRY))
        for name in CHECKS
    ]
    report = _Report(ctx, gate, deploy, checks)
    if not all(check.passed for check in checks):
        return report.end("blocked")

    if deploy.is_production:
        route = Channel(gate.settings.channel)
        for name, ask in ((ONCALL, oncall_ask), (RELEASE, release_ask)):
            request, policy = ask(deploy, checks, gate.settings)
            decision = gate.approvals.require_approval(
                ctx, request, policy=policy, route=route, name=name
            )
            report.decisions.append((name, decision))
            if not decision.approved:
                return report.end(decision.status.value)

    deployment = ctx.step(
        lambda _: gate.deployer(deploy, gate.clock()), name=STEP_DEPLOY, config=RETRY_TRANSIENT
    )
    return report.end("deployed", deployment)


class _Report:
    """How one deploy ends: the requester is told, and the execution returns the record."""

    def __init__(
        self,
        ctx: DurableContext,
        gate: DeployGate,
        deploy: DeployRequest,
        checks: list[CheckResult],
    ) -> None:
        self.ctx = ctx
        self.gate = gate
        self.deploy = deploy
        self.checks = checks
        self.decisions: list[tuple[str, Decision]] = []

    def end(self, status: str, deployment: dict[str, Any] | None = None) -> dict[str, Any]:
        """Tell the requester (one step: a replay does not say it twice) and return the result."""
        text = self._summary(status)
        thread = next((d.message for _, d in self.decisions if d.message), None)
        where = thread or Channel(self.gate.settings.channel)

        def tell(_: Any) -> None:
            self.gate.approvals.notify(self.deploy.requested_by, text, where=where)

        self.ctx.step(tell, name=STEP_REPORT, config=RETRY_TRANSIENT)
        self.ctx.logger.info(
            "deploy ended",
            extra={
                "status": status,
                "service": self.deploy.service,
                "version": self.deploy.version,
            },
        )
        return {
            "status": status,
            "service": self.deploy.service,
            "version": self.deploy.version,
            "environment": self.deploy.environment,
            "requested_by": self.deploy.requested_by,
            "checks": [check.to_dict() for check in self.checks],
            "approvals": [_decision(name, d) for name, d in self.decisions],
            "deployment": deployment,
        }

    def _summary(self, status: str) -> str:
        what = f"{self.deploy.service} {self.deploy.version} to {self.deploy.environment}"
        if status == "blocked":
            failed = "; ".join(f"{c.name}: {c.detail}" for c in self.checks if not c.passed)
            return f"deploy of {what} is blocked by its checks ({failed})."
        if status == "deployed":
            return f"{what} is deployed."
        name, last = self.decisions[-1]
        why = f": {last.reason}" if last.reason else ""
        return f"deploy of {what} was not done: the {name} was {status}{why}."


def _decision(name: str, decision: Decision) -> dict[str, Any]:
    return {
        "name": name,
        "status": decision.status.value,
        "approval_id": decision.approval_id,
        "deciders": [d.user_id for d in decision.deciders],
        "reason": decision.reason,
        "decided_at": decision.decided_at,
    }
