"""The policy statements of both functions, as plain data over (region, account).

The CDK stack renders them with its own region and account; `policies/*.json` hold the same
statements with the REGION and ACCOUNT_ID placeholders for the AWS CLI path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from iac import names

Statement = dict[str, Any]
PolicyBuilder = Callable[[str, str], list[Statement]]


def _allow(sid: str, actions: list[str], resources: list[str]) -> Statement:
    return {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resources}


def trust() -> dict[str, Any]:
    """Who may assume either function's role: Lambda only."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def durable_checkpoint(region: str, account: str) -> list[Statement]:
    """The durable function checkpoints and reads its own executions, nobody else's."""
    fn = names.lambda_arn(region, account, names.ORDERS_FUNCTION)
    return [
        _allow(
            "CheckpointOwnExecutions",
            ["lambda:CheckpointDurableExecution", "lambda:GetDurableExecutionState"],
            [fn, f"{fn}:*"],
        )
    ]


def durable_access(region: str, account: str) -> list[Statement]:
    """Logs, the tables it writes, the Slack secret, the alert topic."""

    def table(role: str) -> str:
        return names.table_arn(region, account, role)

    return [
        _allow(
            "Logs",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [names.log_group_arn(region, account, names.ORDERS_FUNCTION)],
        ),
        _allow(
            "Approvals",
            [
                "dynamodb:ConditionCheckItem",
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
            ],
            [table("approvals")],
        ),
        _allow("Audit", ["dynamodb:PutItem"], [table("audit")]),
        _allow(
            "Reservations",
            ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            [table("reservations")],
        ),
        _allow("Conditions", ["dynamodb:GetItem", "dynamodb:PutItem"], [table("conditions")]),
        _allow(
            "SlackSecret", ["secretsmanager:GetSecretValue"], [names.secret_arn(region, account)]
        ),
        _allow("Alerts", ["sns:Publish"], [names.topic_arn(region, account)]),
    ]


def webhook_callback(region: str, account: str) -> list[Statement]:
    """The webhook resumes executions of the durable function only."""
    fn = names.lambda_arn(region, account, names.ORDERS_FUNCTION)
    return [
        _allow(
            "ResumeOrders",
            [
                "lambda:SendDurableExecutionCallbackFailure",
                "lambda:SendDurableExecutionCallbackSuccess",
            ],
            [fn, f"{fn}:*"],
        )
    ]


def webhook_access(region: str, account: str) -> list[Statement]:
    """Logs, votes on approvals (conditional writes), their audit lines, the Slack secret."""
    approvals = names.table_arn(region, account, "approvals")
    return [
        _allow(
            "Logs",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [names.log_group_arn(region, account, names.WEBHOOK_FUNCTION)],
        ),
        _allow("Approvals", ["dynamodb:GetItem", "dynamodb:UpdateItem"], [approvals]),
        _allow("PendingIndex", ["dynamodb:Query"], [f"{approvals}/index/by_status"]),
        _allow("Audit", ["dynamodb:PutItem"], [names.table_arn(region, account, "audit")]),
        _allow(
            "SlackSecret", ["secretsmanager:GetSecretValue"], [names.secret_arn(region, account)]
        ),
    ]


def starter_access(region: str, account: str) -> list[Statement]:
    """The order-event starter invokes the workflow's live alias and dead-letters failures."""
    orders = names.lambda_arn(region, account, names.ORDERS_FUNCTION)
    return [
        _allow(
            "Logs",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [names.log_group_arn(region, account, names.STARTER_FUNCTION)],
        ),
        _allow("StartOrders", ["lambda:InvokeFunction"], [f"{orders}:{names.ALIAS}"]),
        _allow("DeadLetters", ["sqs:SendMessage"], [names.queue_arn(region, account)]),
    ]


POLICIES = {
    "durable-checkpoint": durable_checkpoint,
    "durable-access": durable_access,
    "webhook-callback": webhook_callback,
    "webhook-access": webhook_access,
    "starter-access": starter_access,
}


def document(statements: list[Statement]) -> dict[str, Any]:
    """An IAM policy document."""
    return {"Version": "2012-10-17", "Statement": statements}


def write_json(folder: str) -> None:
    """Regenerate `policies/*.json` (placeholders REGION and ACCOUNT_ID) from this module."""
    import json  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    out = Path(folder)
    (out / "lambda-trust.json").write_text(json.dumps(trust(), indent=2) + "\n")
    for name, build in POLICIES.items():
        text = json.dumps(document(build("REGION", "ACCOUNT_ID")), indent=2) + "\n"
        (out / f"{name}.json").write_text(text)
