"""decide.sh's planner: what an operator's emergency decision writes and how it resumes the order.

Input is `aws dynamodb get-item --output json` (the item in DynamoDB's typed JSON, as botocore's
dynamodb model `GetItemOutput.Item` is an `AttributeMap`); output is the plan decide.sh sends with
`transact-write-items` and `send-durable-execution-callback-success`.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from typing import Any

import pytest

from greenlight.aws.approval_store import typed
from greenlight.core.outcome import decision_from_success
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord
from greenlight.core.request import Amount, ApprovalRequest
from greenlight.core.votes import MAX_REASON, Status
from greenlight.ops import decision

TABLES = ["--approvals-table", "greenlight-approvals", "--audit-table", "greenlight-audit"]


def pending() -> ApprovalRecord:
    return ApprovalRecord(
        approval_id="A" * 22,
        callback_id="cb-1",
        execution_arn="arn",
        request=ApprovalRequest("Order ord-1", "U0ALICE", amount=Amount(300_000, "EUR")),
        policy=ApproverPolicy(frozenset({"U0BOB"}), quorum=1),
        created_at="2026-11-22T12:00:00+00:00",
        expires_at="2026-11-23T12:00:00+00:00",
        ttl=0,
    )


def get_item(record: ApprovalRecord) -> str:
    return json.dumps({"Item": typed(record.to_item())})


def decide(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stdin: str,
    *args: str,
) -> tuple[int, dict[str, Any] | None, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = decision.main([*args, "--operator", "ops-oncall", *TABLES])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


@pytest.mark.parametrize(
    ("verdict", "status"), [("approve", Status.APPROVED), ("reject", Status.REJECTED)]
)
def test_the_operators_verdict_is_what_is_written_and_what_resumes_the_order(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    verdict: str,
    status: Status,
) -> None:
    code, plan, _ = decide(
        monkeypatch, capsys, get_item(pending()), verdict, "--reason", "CFO by phone"
    )

    assert code == 0
    assert plan is not None
    # The workflow resumes with a success carrying the verdict (a rejection is an answer too)
    assert plan["Kind"] == "success"
    assert plan["Callback"]["CallbackId"] == "cb-1"
    resumed = decision_from_success(json.loads(plan["Callback"]["Result"]))
    assert (resumed.status, resumed.reason) == (status, "CFO by phone")
    # The record moves to the verdict only if still pending at the version read
    update, audit = plan["TransactItems"]
    written = update["Update"]
    assert written["TableName"] == "greenlight-approvals"
    assert audit["Put"]["TableName"] == "greenlight-audit"
    assert written["Key"] == {"approval_id": {"S": "A" * 22}}
    assert {"S": status.value} in written["ExpressionAttributeValues"].values()
    assert {"S": Status.PENDING.value} in written["ExpressionAttributeValues"].values()
    assert audit["Put"]["Item"]["kind"] == {"S": "operator_decided"}
    assert audit["Put"]["Item"]["detail"] == {"S": status.value}
    assert plan["Summary"].endswith(f"{status.value} by ops-oncall: CFO by phone")


@pytest.mark.parametrize("final", [Status.APPROVED, Status.REJECTED, Status.EXPIRED])
def test_a_decided_approval_is_not_planned_again(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], final: Status
) -> None:
    decided = replace(pending(), status=final)

    code, plan, err = decide(monkeypatch, capsys, get_item(decided), "approve", "--reason", "x")

    assert (code, plan) == (decision.EXIT_DECIDED, None)
    assert f"already {final.value}" in err


def test_an_unknown_approval_is_not_planned(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # get-item prints nothing at all for a missing key
    code, plan, err = decide(monkeypatch, capsys, "", "approve", "--reason", "x")

    assert (code, plan) == (decision.EXIT_UNKNOWN, None)
    assert "no approval with that id" in err


@pytest.mark.parametrize(
    ("reason", "code"),
    [("x" * MAX_REASON, 0), ("x" * (MAX_REASON + 1), decision.EXIT_BAD_INPUT), ("   ", 2)],
)
def test_the_reason_is_one_to_max_reason_characters(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], reason: str, code: int
) -> None:
    got, plan, _ = decide(monkeypatch, capsys, get_item(pending()), "reject", "--reason", reason)

    assert got == code
    assert (plan is not None) == (code == 0)
