"""The IAM statements Greenlight deploys, as plain data over names and ARNs.

The construct renders them with its stack's partition, region and account; a test renders them
with placeholders and compares them with the synthesized roles. Actions are the ones the code
calls, each on the resources it calls them on:

- a requester (the gate in a durable function) creates an approval and its first audit lines in
  one `TransactWriteItems` (DynamoDB authorizes each item's `PutItem` / `UpdateItem`), reads it,
  attaches its Slack message and moves it through the ladder (`greenlight.aws.approval_store`),
  on its own approvals only: those whose id starts with its label (`own_approvals`);
- the webhook votes with one conditional `UpdateItem`, reads a record, lists pending ones on
  the `by_status` index; its audit lines are written by the relay, from the stream; it reads
  people's delegations and writes two of them in one `TransactWriteItems` of conditional puts
  (DynamoDB authorizes each item's `PutItem`; `greenlight.aws.delegation_store`);
- the relay reads the approvals table's stream, writes each vote's audit lines (conditional
  puts), sends what it gave up on to its queue, and reads the `by_status` index to redraw the
  App Home tabs a change concerns (`greenlight.webhook.home`);
- the webhook and the relay resume a requester's callbacks: only the success and failure calls
  (`greenlight.webhook.lambda_callbacks`); nothing here sends a callback heartbeat.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from greenlight.cdk.names import Arns, Names

Statement = dict[str, Any]

BY_STATUS = "by_status"
LOGS = ["logs:CreateLogStream", "logs:PutLogEvents"]
READ_SECRET = ["secretsmanager:GetSecretValue"]
# The signing secret's resource policy: nobody but the webhook's role reads it, whatever their
# identity policies allow (an explicit deny overrides every allow: Secrets Manager user guide,
# determine-acccess_examine-iam-policies.html; an explicit deny in a secret's resource policy,
# repost.aws knowledge-center/secrets-manager-resource-policy).
SIGNING_SECRET_READERS = "SigningSecretReadByTheWebhookOnly"  # noqa: S105  # a statement id
# Botocore's lambda model names this operation; the IAM action carries the same name. Every
# decision (approve, reject, expire) is a success callback; the failure callback is kept for
# true errors, which nothing in Greenlight sends, so it is not granted.
RESUME = ["lambda:SendDurableExecutionCallbackSuccess"]
REQUESTER_APPROVALS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
REQUESTER_AUDIT = ["dynamodb:PutItem"]
# An approval id made before requesters had labels (Greenlight 0.3), or by a function the
# construct did not grant: exactly 22 characters, where a labelled id has at least 24.
UNLABELLED_ID = "?" * 22
# The four actions Lambda's event source mapping needs on a stream (DynamoDB developer guide,
# iam-policy-example-lamda-process-dynamodb-streams.html)
READ_STREAM = [
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
]


def allow(
    sid: str,
    actions: Sequence[str],
    resources: Sequence[str],
    condition: dict[str, Any] | None = None,
) -> Statement:
    """One Allow statement; actions sorted so a comparison does not depend on their order."""
    statement: Statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(actions),
        "Resource": list(resources),
    }
    if condition:
        statement["Condition"] = condition
    return statement


def own_approvals(label: str, *, unlabelled: bool) -> dict[str, Any]:
    """The items a requester may reach: those whose partition key (an approval id, in both
    tables) starts with its label and the id's separator, `<label>.` (`greenlight.core.buttons`);
    with `unlabelled`, also the ids that carry no label (`UNLABELLED_ID`), which executions begun
    before the upgrade still use.

    `dynamodb:LeadingKeys` is the partition key of the item a GetItem, PutItem or UpdateItem
    names, inside a transaction too, where each item is authorized as its own action (DynamoDB
    developer guide, specifying-conditions.html and transaction-apis-iam.html). `ForAllValues`
    also passes a request without the key (IAM user guide,
    reference_policies_condition-single-vs-multi-valued-context-keys.html), so it may only
    guard these key-addressed actions: never a Query or a Scan. In StringLike, `*` and `?` are
    the only wildcards, so the `.` is literal: label `pay` reaches nothing of `pay-eu`'s.
    """
    keys = [f"{label}.*", *([UNLABELLED_ID] if unlabelled else [])]
    return {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": keys}}


def document(statements: Sequence[Statement]) -> dict[str, Any]:
    """An IAM policy document."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def trust() -> dict[str, Any]:
    """Who may assume a function's role: Lambda only."""
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


def logs(arns: Arns, function_name: str) -> Statement:
    """A function writes its own log group's streams."""
    return allow("Logs", LOGS, [arns.log_streams(function_name)])


def requester_access(
    arns: Arns, names: Names, secret_arn: str, label: str, *, unlabelled: bool
) -> list[Statement]:
    """What the gate in a durable function needs: its own approvals and their audit lines
    (`own_approvals`: never another requester's), the bot token's secret (never the signing
    secret: a requester must not be able to sign a click)."""
    own = own_approvals(label, unlabelled=unlabelled)
    return [
        allow("GreenlightApprovals", REQUESTER_APPROVALS, [arns.table(names.approvals_table)], own),
        allow("GreenlightAudit", REQUESTER_AUDIT, [arns.table(names.audit_table)], own),
        allow("GreenlightSlackSecret", READ_SECRET, [secret_arn]),
    ]


def resume(arns: Arns, requesters: Sequence[str]) -> list[Statement]:
    """The webhook and the relay resume executions of the requesters only (`:*`: see
    `Arns.executions`)."""
    return [allow("ResumeRequesters", RESUME, [arns.executions(name) for name in requesters])]


def webhook_access(
    arns: Arns, names: Names, secret_arn: str, signing_secret_arn: str
) -> list[Statement]:
    """Votes on approvals (one conditional write each), pending approvals, Slack: the bot
    token's secret and the signing secret's, which nothing else may read. (Each function's
    `logs` statement comes with its role: `greenlight.cdk.functions`.)"""
    approvals = names.approvals_table
    return [
        allow("Approvals", ["dynamodb:GetItem", "dynamodb:UpdateItem"], [arns.table(approvals)]),
        allow("PendingIndex", ["dynamodb:Query"], [arns.index(approvals, BY_STATUS)]),
        allow(
            "Delegations",
            ["dynamodb:GetItem", "dynamodb:PutItem"],
            [arns.table(names.delegations_table)],
        ),
        allow("SlackSecret", READ_SECRET, [secret_arn]),
        allow("SlackSigningSecret", READ_SECRET, [signing_secret_arn]),
    ]


def signing_secret_policy(secret_arn: str, webhook_role_arn: str) -> Statement:
    """The signing secret's resource policy: every principal but the webhook's role is denied
    its value, whatever its identity policies allow. Managing the secret (a new value, this
    policy) stays with whoever IAM allows it: `scripts/set-slack-secret.sh` writes, never reads.
    (`aws:PrincipalArn` is the role's ARN for a session of that role: IAM user guide,
    reference_policies_condition-keys.html.)"""
    return {
        "Sid": SIGNING_SECRET_READERS,
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": READ_SECRET[0],
        "Resource": secret_arn,
        "Condition": {"StringNotEquals": {"aws:PrincipalArn": webhook_role_arn}},
    }


def relay_access(arns: Arns, names: Names, secret_arn: str) -> list[Statement]:
    """The approvals stream, the audit table (each vote's lines, conditional puts that
    never overwrite), its on-failure queue (Lambda sends a record it gave up on there with the
    function's role), the bot token's secret (for redraws; never the signing secret), the
    `by_status` index (the App Home tabs: pending and recently decided approvals)."""
    return [
        allow("DecisionStream", READ_STREAM, [arns.streams(names.approvals_table)]),
        allow("HomeIndex", ["dynamodb:Query"], [arns.index(names.approvals_table, BY_STATUS)]),
        allow("Audit", ["dynamodb:PutItem"], [arns.table(names.audit_table)]),
        allow("UndeliveredDecisions", ["sqs:SendMessage"], [arns.queue(names.relay_dlq)]),
        allow("SlackSecret", READ_SECRET, [secret_arn]),
    ]
