"""How the webhook's AWS clients wait: well inside Slack's 3 s and the function's timeout.

botocore's defaults wait 60 s to read and retry in "legacy" mode: a stalled Lambda or DynamoDB
endpoint would hold a click past Slack's 3 s and past the function's own timeout, killing the
container mid-click. These bound one call to (1 s connect + 2 s read) x 3 attempts = 9 s at
worst, under the webhook's 10 s timeout (iac/stack.py), with standard-mode retries (throttling
and transient errors, exponential backoff with jitter).
"""

from __future__ import annotations

from botocore.config import Config

CONNECT_TIMEOUT_SECONDS = 1
READ_TIMEOUT_SECONDS = 2
MAX_ATTEMPTS = 3

WEBHOOK_CLIENT_CONFIG = Config(
    connect_timeout=CONNECT_TIMEOUT_SECONDS,
    read_timeout=READ_TIMEOUT_SECONDS,
    retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
)

# The webhook's callback is the fast path: the stream relay delivers every stored decision
# anyway, so one short try is enough, and a slow Lambda API never holds a click past 3 s.
CALLBACK_FAST_PATH_CONFIG = Config(
    connect_timeout=CONNECT_TIMEOUT_SECONDS,
    read_timeout=1.5,
    retries={"mode": "standard", "total_max_attempts": 1},
)

# The relay has time (its own function, a 60 s timeout): standard retries, bounded waits.
RELAY_CLIENT_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "total_max_attempts": 3},
)
