"""What the deploy gate asks, and of whom: the Slack requests and policies, from one deploy.

Two approvals, one after the other: the on-call says the system can take the change now (one of
the rotation, two for a critical service), then a release manager says the release may go.
Pure: built from the request, the settings and the checks, the same on every replay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from examples.deploy_gate.deploy import is_critical
from greenlight.core import ApprovalRequest, Ladder, Link, Policy

if TYPE_CHECKING:
    from examples.deploy_gate.deploy import CheckResult, DeployRequest
    from examples.deploy_gate.settings import DeploySettings

ONCALL = "on-call approval"  # the gates' names: their child contexts; never rename in flight
RELEASE = "release approval"


def _request(
    deploy: DeployRequest, checks: list[CheckResult], stage: str, title: str
) -> ApprovalRequest:
    fields = (
        ("Service", deploy.service),
        ("Version", deploy.version),
        ("Environment", deploy.environment),
        ("Checks", "; ".join(f"{c.name}: {c.detail}" for c in checks) or "none"),
    )
    return ApprovalRequest(
        title=title,
        requester_id=deploy.requested_by,
        description=deploy.summary or f"Deploy {deploy.service} {deploy.version}.",
        fields=fields,
        links=(Link("Diff", deploy.diff_url),) if deploy.diff_url else (),
        amount=None,
        context={"service": deploy.service, "version": deploy.version, "stage": stage},
    )


def _ladder(settings: DeploySettings) -> Ladder:
    return Ladder(expire_after=settings.expire_after, remind_after=settings.remind_after)


def oncall_ask(
    deploy: DeployRequest, checks: list[CheckResult], settings: DeploySettings
) -> tuple[ApprovalRequest, Policy]:
    """The on-call's approval: any one of the rotation, or two for a critical service."""
    critical = is_critical(deploy, settings)
    title = f"Deploy {deploy.service} {deploy.version} to {deploy.environment}"
    if critical:
        title += " (critical: 2 approvals)"
    policy = Policy(
        approvers=settings.oncall,
        quorum=2 if critical else 1,
        allow_self_approval=False,
        ladder=_ladder(settings),
    )
    return _request(deploy, checks, "on-call", title), policy


def release_ask(
    deploy: DeployRequest, checks: list[CheckResult], settings: DeploySettings
) -> tuple[ApprovalRequest, Policy]:
    """The release manager's sign-off, asked once the on-call approved."""
    title = f"Release {deploy.service} {deploy.version}: on-call approved, sign off?"
    policy = Policy(
        approvers=settings.release_managers,
        quorum=1,
        allow_self_approval=False,
        ladder=_ladder(settings),
    )
    return _request(deploy, checks, "release", title), policy
