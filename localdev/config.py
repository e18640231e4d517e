"""Where the local stack's parts listen and keep their state, and the environment they share."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from localdev import fixtures

HOST = "127.0.0.1"
FUNCTION_NAME = "greenlight-orders"
ALERT_TOPIC = "greenlight-alerts"
ALERT_TOPIC_ARN = f"arn:aws:sns:us-east-1:123456789012:{ALERT_TOPIC}"  # moto's default account
SECRET_NAME = "greenlight/slack"  # noqa: S105  # the secret's name, not a secret
SIGNING_SECRET_NAME = "greenlight/slack-signing"  # noqa: S105  # the webhook's alone; a name
TABLE_PREFIX = "greenlight-"
# The requester label of the hosted functions: their approval ids are `local.<22 characters>`
LOCAL_REQUESTER = "local"
DEFAULT_PORTS = {
    "webhook": 3000,
    "host": 3001,
    "runner": 5050,
    "dynamodb": 5055,
    "slack": 8080,
    "payments": 8090,
}


@dataclass(frozen=True)
class StackConfig:
    """One local stack: its folder (state, logs, pids, credentials) and ports.

    `real_slack` holds a developer's `.env` values when the stack talks to a real workspace
    (through ngrok) instead of the fake Slack.
    """

    root: Path
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    real_slack: dict[str, str] | None = None

    @classmethod
    def load(cls, root: Path) -> StackConfig:
        """The stack in `root`, with the ports it was started with (or the defaults)."""
        saved = root / "ports.json"
        ports = json.loads(saved.read_text()) if saved.exists() else dict(DEFAULT_PORTS)
        return cls(root=root, ports=ports)

    def save(self) -> None:
        """Remember the ports, so scripts find a stack started on other ports."""
        for sub in ("logs", "pids", "state"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        (self.root / "ports.json").write_text(json.dumps(self.ports))

    def url(self, part: str) -> str:
        """`http://127.0.0.1:<port>` of one part."""
        return f"http://{HOST}:{self.ports[part]}"

    @property
    def webhook_url(self) -> str:
        """Where Slack would send interactive requests."""
        return f"{self.url('webhook')}/slack/events"

    def credentials(self) -> dict[str, str]:
        """This stack's Slack credentials: the developer's real ones, or random ones made on
        first use and kept in a 0600 file."""
        if self.real_slack:
            return {
                "bot_token": self.real_slack["SLACK_BOT_TOKEN"],
                "signing_secret": self.real_slack["SLACK_SIGNING_SECRET"],
            }
        path = self.root / "slack-credentials.json"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fresh = {
                "bot_token": "xoxb-local-" + secrets.token_hex(12),
                "signing_secret": secrets.token_hex(16),
            }
            path.touch(mode=0o600)
            path.write_text(json.dumps(fresh))
        loaded: dict[str, str] = json.loads(path.read_text())
        return loaded

    def aws_env(self) -> dict[str, str]:
        """Dummy credentials and endpoints that point every AWS client at the local parts."""
        return {
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",  # dummy, for SigV4 on loopback
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL_DYNAMODB": self.url("dynamodb"),
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": self.url("dynamodb"),
            # One Lambda endpoint, as on AWS: the host serves Invoke and forwards the durable
            # APIs (the workflow's checkpoints included) to the runner.
            "AWS_ENDPOINT_URL_LAMBDA": self.url("host"),
            "AWS_ENDPOINT_URL_SNS": self.url("dynamodb"),
        }

    def webhook_env(self) -> dict[str, str]:
        """The webhook's settings: the functions' and the name of the signing secret, which
        the construct gives the webhook alone (the relay and durable functions never get it)."""
        return self.function_env() | {"SLACK_SIGNING_SECRET_NAME": SIGNING_SECRET_NAME}

    def function_env(self) -> dict[str, str]:
        """The durable functions' and the relay's settings, as CDK would set them."""
        env = self._local_env()
        if self.real_slack:
            env.pop("SLACK_API_URL")  # the real Web API
            env.pop("GREENLIGHT_SLACK_API_URL")
            keys = ("SLACK_APP_ID", "SLACK_TEAM_ID", "SLACK_CHANNEL", "APPROVER_IDS")
            env |= {k: self.real_slack[k] for k in keys}
            escalation = self.real_slack.get("ESCALATION_APPROVER_IDS")
            env["ESCALATION_APPROVER_IDS"] = escalation or env["APPROVER_IDS"]
        return env

    def _local_env(self) -> dict[str, str]:
        return self.aws_env() | {
            "APPROVALS_TABLE": f"{TABLE_PREFIX}approvals",
            "AUDIT_TABLE": f"{TABLE_PREFIX}audit",
            "DELEGATIONS_TABLE": f"{TABLE_PREFIX}delegations",
            "RESERVATIONS_TABLE": f"{TABLE_PREFIX}reservations",
            "CONDITIONS_TABLE": f"{TABLE_PREFIX}conditions",
            "ALERT_TOPIC_ARN": ALERT_TOPIC_ARN,
            "REVIEW_WAIT": os.environ.get("REVIEW_WAIT", "1,5,60"),
            "SLACK_CHANNEL": fixtures.CHANNEL_ID,
            "SLACK_SECRET_NAME": SECRET_NAME,
            "SLACK_API_URL": f"{self.url('slack')}/api/",
            "SLACK_APP_ID": fixtures.APP_ID,
            "SLACK_TEAM_ID": fixtures.TEAM_ID,
            "PAYMENT_URL": self.url("payments"),
            "APPROVER_IDS": os.environ.get("APPROVER_IDS", fixtures.APPROVERS_GROUP),
            "ESCALATION_APPROVER_IDS": os.environ.get(
                "ESCALATION_APPROVER_IDS", fixtures.ESCALATION_ID
            ),
            "LADDER_SINGLE": os.environ.get("LADDER_SINGLE", ""),
            "LADDER_DUAL": os.environ.get("LADDER_DUAL", ""),
            "AUTO_APPROVE_BELOW_CENTS": os.environ.get("AUTO_APPROVE_BELOW_CENTS", "10000"),
            "DUAL_APPROVAL_ABOVE_CENTS": os.environ.get("DUAL_APPROVAL_ABOVE_CENTS", "1000000"),
            "TIERS_CURRENCY": os.environ.get("TIERS_CURRENCY", "EUR"),  # the thresholds' currency
            "APPROVAL_TIMEOUT_SECONDS": os.environ.get("APPROVAL_TIMEOUT_SECONDS", "86400"),
            # The gate's own settings (Greenlight.from_env), as the CDK construct sets them.
            "GREENLIGHT_APPROVALS_TABLE": f"{TABLE_PREFIX}approvals",
            "GREENLIGHT_AUDIT_TABLE": f"{TABLE_PREFIX}audit",
            "GREENLIGHT_SLACK_SECRET_NAME": SECRET_NAME,
            "GREENLIGHT_SLACK_API_URL": f"{self.url('slack')}/api/",
            # One label for every hosted function (they share one process's environment)
            "GREENLIGHT_REQUESTER": LOCAL_REQUESTER,
            "POWERTOOLS_SERVICE_NAME": "greenlight",
            "POWERTOOLS_LOG_LEVEL": "INFO",
        }


def default_root() -> Path:
    """`.local/` at the top of the checkout (git-ignored)."""
    return Path(
        os.environ.get("GREENLIGHT_LOCAL_DIR", Path(__file__).resolve().parent.parent / ".local")
    )
