"""list-pending.sh's formatter, on `aws dynamodb query --output json` as the
CLI prints it (items in DynamoDB's typed JSON: botocore's dynamodb model, `QueryOutput.Items`
is a list of `AttributeMap`)."""

from __future__ import annotations

import json

from greenlight.aws.approval_store import typed
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord
from greenlight.core.request import Amount, ApprovalRequest
from greenlight.core.votes import Verdict, Vote
from greenlight.ops import pending

AT = "2026-11-22T12:00:00+00:00"


def query(*items: dict[str, object]) -> str:
    return json.dumps({"Items": [typed(item) for item in items], "Count": len(items)})


def test_a_pending_line_says_who_it_still_waits_on() -> None:
    record = ApprovalRecord(
        approval_id="A" * 22,
        callback_id="cb-1",
        execution_arn="arn",
        request=ApprovalRequest("Order ord-1", "U0ALICE", amount=Amount(2_000_000, "EUR")),
        policy=ApproverPolicy(frozenset({"U0BOB", "U0CAROL", "U0DAVE"}), quorum=2),
        created_at=AT,
        expires_at="2026-11-23T12:00:00+00:00",
        ttl=0,
        votes=(Vote("U0BOB", Verdict.APPROVE, AT),),
    )

    (line,) = pending.lines(json.loads(query(record.to_item())))

    assert line.startswith("A" * 22)
    assert "20,000.00 EUR" in line
    assert "(waiting on U0CAROL, U0DAVE; expires 2026-11-23T12:00)" in line
