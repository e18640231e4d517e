"""Operator notices over SNS."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient

MAX_SUBJECT = 100  # SNS's limit


class SnsAlerts:
    """The Alerts port: one SNS message per notice."""

    def __init__(self, client: SNSClient, topic_arn: str) -> None:
        self._client = client
        self._topic_arn = topic_arn

    def publish(self, subject: str, message: str) -> None:
        """Publish to the operators' topic."""
        self._client.publish(
            TopicArn=self._topic_arn, Subject=subject[:MAX_SUBJECT], Message=message
        )
