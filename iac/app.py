"""The CDK app: `cdk synth` / `cdk deploy` run `python -m iac.app` (see cdk.json).

Configuration comes from CDK context (`-c slack_channel=C… -c approver_ids=S…,U…`), bundles
from `build/` (scripts/build.sh), and cdk-nag's AwsSolutions checks run on every synth.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from cdk_nag import AwsSolutionsChecks

from iac.stack import GreenlightConfig, GreenlightStack

ROOT = Path(__file__).resolve().parent.parent


def build_app(bundles: Path = ROOT / "build") -> cdk.App:
    """The app with its one stack, nag checks attached."""
    app = cdk.App()
    context = app.node.try_get_context

    def required(key: str) -> str:
        value = context(key)
        if not value:
            msg = f"missing CDK context '{key}' (pass -c {key}=… or set it in cdk.context.json)"
            raise SystemExit(msg)
        return str(value)

    config = GreenlightConfig(
        slack_channel=required("slack_channel"),
        slack_app_id=required("slack_app_id"),
        slack_team_id=required("slack_team_id"),
        approver_ids=required("approver_ids"),
        escalation_approver_ids=context("escalation_approver_ids") or "",
        escalation_channel=context("escalation_channel") or "",
        payment_url=context("payment_url") or GreenlightConfig.payment_url,
        retain_data=str(context("retain_data") or "true").lower() != "false",
    )
    GreenlightStack(
        app,
        "Greenlight",
        config=config,
        orders_code=lambda_.Code.from_asset(str(bundles / "orders.zip")),
        webhook_code=lambda_.Code.from_asset(str(bundles / "webhook.zip")),
        env=cdk.Environment(account=context("account") or None, region=context("region") or None),
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


if __name__ == "__main__":
    build_app().synth()
