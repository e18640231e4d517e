"""Lambda entry point of the decision relay (`slack_webhook.relay_handler.handler`).

Subscribed to the approvals table's stream (NEW_AND_OLD_IMAGES) with ReportBatchItemFailures;
the local stack's poller runs the same handler over the same `build_relay`.
"""

from __future__ import annotations

from slack_webhook.build import build_relay
from slack_webhook.relay import make_stream_handler
from slack_webhook.settings import Settings

handler = make_stream_handler(build_relay(Settings.from_env()))
