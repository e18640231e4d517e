"""audit.sh's formatter, on `aws dynamodb query --output json` as the
CLI prints it (items in DynamoDB's typed JSON: botocore's dynamodb model, `QueryOutput.Items`
is a list of `AttributeMap`)."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING

from greenlight.aws.approval_store import typed
from greenlight.core.audit import AuditEvent, AuditKind
from greenlight.ops import audit_timeline

if TYPE_CHECKING:
    import pytest

AT = "2026-11-22T12:00:00+00:00"


def query(*items: dict[str, object]) -> str:
    return json.dumps({"Items": [typed(item) for item in items], "Count": len(items)})


def test_an_audit_trail_is_printed_in_order_and_an_empty_one_is_an_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    requested = AuditEvent("A" * 22, AuditKind.REQUESTED, AT, "U0ALICE")
    decided = AuditEvent("A" * 22, AuditKind.OPERATOR_DECIDED, AT, "ops", "CFO", "approved")
    monkeypatch.setattr("sys.stdin", io.StringIO(query(requested.to_item(), decided.to_item())))

    assert audit_timeline.main() == 0
    assert capsys.readouterr().out.splitlines() == [requested.line(), decided.line()]

    # An id with no trail (a typo, or long expired) must not look like a quiet success
    monkeypatch.setattr("sys.stdin", io.StringIO(query()))
    assert audit_timeline.main() == 1
    out, err = capsys.readouterr()
    assert (out, err.strip()) == ("", "error: no audit trail for that approval id")
