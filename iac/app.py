"""The order example's CDK app: `cdk synth` / `cdk deploy` run `python -m iac.app` (cdk.json).

Configuration comes from CDK context (`-c slack_channel=C… -c approver_ids=S…,U…`), bundles
from `build/` (scripts/build.sh), and cdk-nag's AwsSolutions checks run on every synth.
The environment is `-c account=… -c region=…` when given; otherwise the stack is
environment-agnostic and the CLI deploys it to the region of its environment (AWS_REGION).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from cdk_nag import AwsSolutionsChecks

from greenlight.cdk import AlertSubscription
from iac.stack import OrdersConfig, OrdersStack

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parent.parent


def build_app(bundles: Path = ROOT / "build") -> cdk.App:
    """The app with its one stack (still named Greenlight: the scripts deploy and delete it by
    that name), nag checks attached."""
    app = cdk.App()
    context = app.node.try_get_context
    try:
        config = config_from(context)
    except ValueError as err:
        raise SystemExit(str(err)) from err
    OrdersStack(
        app,
        "Greenlight",
        config=config,
        orders_code=lambda_.Code.from_asset(str(bundles / "orders.zip")),
        webhook_code=lambda_.Code.from_asset(str(bundles / "webhook.zip")),
        env=cdk.Environment(account=context("account") or None, region=context("region") or None),
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


def config_from(context: Callable[[str], Any]) -> OrdersConfig:
    """The installation's configuration from CDK context; every mistake a clear exit."""

    def required(key: str) -> str:
        value = context(key)
        if not value:
            msg = f"missing CDK context '{key}' (pass -c {key}=… or set it in cdk.context.json)"
            raise SystemExit(msg)
        return str(value)

    return OrdersConfig(
        slack_channel=required("slack_channel"),
        slack_app_id=required("slack_app_id"),
        slack_team_id=required("slack_team_id"),
        slack_enterprise_id=context("slack_enterprise_id") or "",
        approver_ids=required("approver_ids"),
        escalation_approver_ids=context("escalation_approver_ids") or "",
        escalation_channel=context("escalation_channel") or "",
        payment_url=context("payment_url") or OrdersConfig.payment_url,
        auto_approve_below_cents=_whole_number(
            context("auto_approve_below_cents"),
            "auto_approve_below_cents",
            default=OrdersConfig.auto_approve_below_cents,
        ),
        dual_approval_above_cents=_whole_number(
            context("dual_approval_above_cents"),
            "dual_approval_above_cents",
            default=OrdersConfig.dual_approval_above_cents,
        ),
        tiers_currency=str(context("tiers_currency") or OrdersConfig.tiers_currency),
        ladders={
            tier: str(context(f"ladder_{tier}"))
            for tier in ("single", "dual")
            if context(f"ladder_{tier}")
        },
        retain_data=str(context("retain_data") or "true").lower() != "false",
        alert_subscriptions=alert_subscriptions(context),
        webhook_reserved_concurrency=_reservation(context("webhook_concurrency")),
        durable_state_key=str(context("durable_state_key") or "false").lower() == "true",
        unlabelled_approval_ids=(
            str(context("unlabelled_approval_ids") or "true").lower() != "false"
        ),
    )


def alert_subscriptions(context: Callable[[str], Any]) -> tuple[AlertSubscription, ...]:
    """Who reads the alerts: `alert_email`, and/or `alert_endpoint` with `alert_protocol`.

    At least one is required: an alarm nobody is subscribed to pages nobody.
    """
    readers = []
    if context("alert_email"):
        readers.append(("email", str(context("alert_email"))))
    if context("alert_endpoint") or context("alert_protocol"):
        if not (context("alert_endpoint") and context("alert_protocol")):
            msg = "alert_endpoint and alert_protocol go together (e.g. https and its URL)"
            raise SystemExit(msg)
        readers.append((str(context("alert_protocol")), str(context("alert_endpoint"))))
    if not readers:
        msg = (
            "alarms would reach no one: pass -c alert_email=… and/or "
            "-c alert_protocol=… -c alert_endpoint=… (scripts/deploy.sh --alert-email …)"
        )
        raise SystemExit(msg)
    try:
        return tuple(AlertSubscription(protocol, endpoint) for protocol, endpoint in readers)
    except ValueError as err:
        raise SystemExit(str(err)) from err


def _reservation(value: object) -> int | None:
    """The webhook's reserved concurrency: a whole number, 10 when unset, or "none"."""
    if isinstance(value, str) and value.strip().lower() == "none":
        return None
    return _whole_number(value, "webhook_concurrency", default=10)


def _whole_number(value: object, key: str, *, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(str(value))
    except ValueError:
        msg = f"CDK context '{key}' must be a whole number, not '{value}'"
        raise SystemExit(msg) from None


if __name__ == "__main__":
    build_app().synth()
