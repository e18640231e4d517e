"""The two Slack secrets: the bot token's (every function reads it) and the signing secret's
(the webhook alone reads it), so a requester or the relay cannot sign a click.

Each is made by default (filled by scripts/set-slack-secret.sh) or given by the team. A made
signing secret also carries a resource policy that denies its value to every principal but
the webhook's role, whatever their identity policies allow (`permissions.signing_secret_policy`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager

from greenlight.cdk import permissions
from greenlight.cdk.nag import acknowledge

if TYPE_CHECKING:
    from constructs import Construct

    from greenlight.cdk.names import Arns, Names

BOT_CONSTRUCT_ID = "SlackSecret"  # as deployed by 0.2: the same logical id and name
SIGNING_CONSTRUCT_ID = "SlackSigningSecret"  # new in 0.3, so a new logical id
BOT_DESCRIPTION = (
    "Slack bot token, read by the webhook, the relay and requesters "
    "(set with scripts/set-slack-secret.sh)"
)
SIGNING_DESCRIPTION = (
    "Slack signing secret, read by the webhook alone (set with scripts/set-slack-secret.sh)"
)


@dataclass(frozen=True, slots=True)
class SlackSecret:
    """One secret as the grants and the environment name it."""

    secret: secretsmanager.ISecret
    name: str
    arn: str  # what an IAM statement names: the full ARN, or the name's `-??????` pattern
    made: secretsmanager.Secret | None  # None: given by the team, its policy is theirs


def slack_secret(
    scope: Construct,
    names: Names,
    arns: Arns,
    given: secretsmanager.ISecret | None,
    *,
    signing: bool,
) -> SlackSecret:
    """The bot token's secret (`signing=False`) or the signing secret's: `given`, or made."""
    if given is not None:
        return SlackSecret(given, given.secret_name, _given_secret_arn(given), None)
    name = names.signing_secret if signing else names.secret
    made = _made(
        scope,
        SIGNING_CONSTRUCT_ID if signing else BOT_CONSTRUCT_ID,
        name,
        SIGNING_DESCRIPTION if signing else BOT_DESCRIPTION,
    )
    return SlackSecret(made, name, arns.secret(name), made)


def restrict_to(signing: SlackSecret, webhook_role: iam.IRole) -> None:
    """A made signing secret's value is denied to every principal but the webhook's role."""
    if signing.made is None:
        return
    signing.made.add_to_resource_policy(
        iam.PolicyStatement.from_json(
            permissions.signing_secret_policy(signing.made.secret_arn, webhook_role.role_arn)
        )
    )


def _made(
    scope: Construct, construct_id: str, name: str, description: str
) -> secretsmanager.Secret:
    """A secret as 0.2 made its one: the AWS managed key, CDK's default removal, a random
    placeholder value (not JSON) until the script stores the real one."""
    secret = secretsmanager.Secret(scope, construct_id, secret_name=name, description=description)
    acknowledge(
        secret,
        "AwsSolutions-SMG4",
        "Slack credentials are rotated in Slack, then stored with set-slack-secret.sh; "
        "Secrets Manager cannot rotate them on its own.",
    )
    return secret


def _given_secret_arn(secret: secretsmanager.ISecret) -> str:
    """What the grants name for a secret made elsewhere: its full ARN when known, else the
    ARNs its name may have (`from_secret_name_v2`: Secrets Manager appends six characters)."""
    full = secret.secret_full_arn
    return full if full is not None else f"{secret.secret_arn}-??????"
