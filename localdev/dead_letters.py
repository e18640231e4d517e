"""The local stack's dead-letter queue for order events (SQS on moto), as deployed."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import boto3

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

    from localdev.config import StackConfig

DLQ_NAME = "greenlight-order-events-dlq"


def _sqs(config: StackConfig) -> SQSClient:
    env = config.aws_env()
    return boto3.client(
        "sqs",
        endpoint_url=config.url("dynamodb"),
        region_name=env["AWS_DEFAULT_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


def queue_url(config: StackConfig) -> str:
    """The queue, created if missing (create_queue is idempotent)."""
    return _sqs(config).create_queue(QueueName=DLQ_NAME)["QueueUrl"]


def send_to_dead_letters(config: StackConfig, body: str, reason: str) -> None:
    """Keep a refused event with why it was refused."""
    message = json.dumps({"event": body, "reason": reason})
    _sqs(config).send_message(QueueUrl=queue_url(config), MessageBody=message)


def dead_letters(config: StackConfig) -> list[dict[str, str]]:
    """What the queue holds (read without deleting: messages become visible again)."""
    found = _sqs(config).receive_message(
        QueueUrl=queue_url(config), MaxNumberOfMessages=10, VisibilityTimeout=0
    )
    return [json.loads(m["Body"]) for m in found.get("Messages", [])]
