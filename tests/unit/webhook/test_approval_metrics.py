"""The webhook counts a decision once, by outcome, with the time it took, in EMF."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from greenlight.core import metric_names
from greenlight.core.errors import ConflictError
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord, SlackMessage
from greenlight.core.request import Amount, ApprovalRequest
from greenlight.core.votes import Verdict
from greenlight.webhook.decisions import Click, DecisionService
from tests.fakes.workflow import InMemoryApprovalStore

APPROVAL_ID = "a" * 22
DECIDED_AT = datetime(2026, 11, 22, 12, 1, 30, tzinfo=UTC)  # 90 s after the request


class AnsweringCallbacks:
    def succeed(self, callback_id: str, result: bytes) -> bool:
        return True


class SilentBoard:
    def redraw_copy(self, record: ApprovalRecord, message: SlackMessage) -> None:
        pass


def pending(quorum: int) -> ApprovalRecord:
    return ApprovalRecord(
        approval_id=APPROVAL_ID,
        callback_id="cb",
        execution_arn="arn",
        request=ApprovalRequest("Order", "U0ALICE", amount=Amount(100, "EUR"), reference="ord-1"),
        policy=ApproverPolicy(frozenset({"U0BOB", "U0CAROL"}), quorum=quorum),
        created_at="2026-11-22T12:00:00+00:00",
        expires_at="2026-11-23T12:00:00+00:00",
        ttl=0,
    )


def emf(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith('{"_aws"')]


def test_the_deciding_click_writes_the_outcome_and_time_to_decision_once(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a two-approver request, with the service name CDK sets
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "greenlight-webhook")
    store = InMemoryApprovalStore()
    store.create(pending(quorum=2))
    service = DecisionService(store, AnsweringCallbacks(), SilentBoard(), lambda: DECIDED_AT)

    # When the first vote counts, the second decides, and a late click is refused
    service.decide(Click(APPROVAL_ID, "U0BOB", Verdict.APPROVE))
    service.decide(Click(APPROVAL_ID, "U0CAROL", Verdict.APPROVE))
    with pytest.raises(ConflictError):
        service.decide(Click(APPROVAL_ID, "U0BOB", Verdict.REJECT, "too late"))

    # Then one decision (outcome approved) and one time to decision (90 s) were written
    documents = emf(capsys.readouterr().out)
    by_name = {d["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"]: d for d in documents}
    assert len(documents) == 2
    decided = by_name[metric_names.DECIDED]
    (dimensions,) = decided["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
    assert sorted(dimensions) == ["outcome", "service"]
    assert (decided["service"], decided["outcome"]) == ("greenlight-webhook", "approved")
    waited = by_name[metric_names.TIME_TO_DECISION]
    assert waited[metric_names.TIME_TO_DECISION] == [90.0]
    assert waited["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"] == "Seconds"
