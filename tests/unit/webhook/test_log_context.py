"""The webhook's stdlib log lines, once adopted by Powertools, carry the approval's keys.

Run in a child interpreter: adopting loggers changes process-wide logging state.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = """
from datetime import UTC, datetime
from greenlight.core.votes import Verdict
from greenlight.webhook import log_context
from greenlight.webhook.decisions import Click, DecisionService
from tests.fakes.workflow import InMemoryApprovalStore
from tests.unit.webhook.test_approval_metrics import SilentBoard, pending

class ClosedCallbacks:  # the workflow stopped waiting: the webhook logs a warning
    def succeed(self, callback_id, result): return False

log_context.adopt_module_loggers()
store = InMemoryApprovalStore()
store.create(pending(quorum=1))
at = datetime(2026, 11, 22, 12, 1, tzinfo=UTC)  # while the fixture's request is open
service = DecisionService(store, ClosedCallbacks(), SilentBoard(), lambda: at)
service.decide(Click("a" * 22, "U0BOB", Verdict.APPROVE))
"""


def test_a_decision_line_names_the_approval_and_its_execution() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=os.environ | {"POWERTOOLS_SERVICE_NAME": "greenlight-webhook"},
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    lines = [json.loads(x) for x in done.stdout.splitlines() if x.startswith('{"level"')]
    (warning,) = [x for x in lines if x["message"] == "callback already closed"]
    assert warning["approval_id"] == "a" * 22
    assert warning["durable_execution_arn"] == "arn"  # the record's, as the fixture wrote it
    assert warning["service"] == "greenlight-webhook"
