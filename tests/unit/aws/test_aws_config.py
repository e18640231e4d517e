"""The webhook's AWS clients give up well inside Slack's 3 s budget and the function timeout."""

from __future__ import annotations

from typing import Any

import boto3

from greenlight.aws.config import (
    CONNECT_TIMEOUT_SECONDS,
    MAX_ATTEMPTS,
    READ_TIMEOUT_SECONDS,
    WEBHOOK_CLIENT_CONFIG,
)

WEBHOOK_TIMEOUT_SECONDS = 10  # iac/stack.py


def test_one_call_waits_at_most_nine_seconds_in_all() -> None:
    worst = (CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS) * MAX_ATTEMPTS
    assert worst < WEBHOOK_TIMEOUT_SECONDS


def test_clients_built_with_it_use_it() -> None:
    client = boto3.client("lambda", region_name="us-east-1", config=WEBHOOK_CLIENT_CONFIG)
    config: Any = client.meta.config  # botocore sets these attributes from the kwargs
    assert (config.connect_timeout, config.read_timeout) == (1, 2)
    # botocore's "max_attempts" counts retries only; "total_max_attempts" counts every try
    assert config.retries == {"mode": "standard", "total_max_attempts": 3}
