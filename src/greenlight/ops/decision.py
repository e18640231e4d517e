"""Plans an operator's emergency decision from `aws dynamodb get-item` output (stdin).

Prints, as JSON, the DynamoDB transaction (typed for `transact-write-items`) that records the
decision and its `operator_decided` audit line, conditional on the approval still being
pending at the version read, and the callback input that resumes the workflow.
Exit codes: 0 planned, 2 bad input, 3 unknown approval, 4 already decided.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from greenlight.aws.approval_store import replace_items, typed_transaction, untyped
from greenlight.core.audit import AuditEvent, AuditKind
from greenlight.core.outcome import decision_payload
from greenlight.core.record import ApprovalRecord
from greenlight.core.votes import MAX_REASON, Status

EXIT_BAD_INPUT, EXIT_UNKNOWN, EXIT_DECIDED = 2, 3, 4


def plan(
    item: dict[str, Any],
    verdict: str,
    *,
    reason: str,
    operator: str,
    tables: tuple[str, str],
    at: str,
) -> dict[str, Any]:
    """The transaction and callback for deciding `item` by hand."""
    record = ApprovalRecord.from_item(untyped(item))
    status = Status.APPROVED if verdict == "approve" else Status.REJECTED
    after = record.overridden(status, operator, reason, at)
    event = AuditEvent(
        record.approval_id, AuditKind.OPERATOR_DECIDED, at, operator, reason, detail=status.value
    )
    items = replace_items(tables[0], tables[1], record, after, [event])
    # A rejection is an answer too: success, with the verdict in the payload.
    callback = {"CallbackId": after.callback_id, "Result": decision_payload(after).decode()}
    return {
        "TransactItems": typed_transaction(items),
        "Callback": callback,
        "Summary": f"approval {record.approval_id} ({record.request.title}) "
        f"{status.value} by {operator}: {reason}",
        "Kind": "success",
    }


def main(argv: list[str] | None = None) -> int:
    """Read get-item JSON on stdin, print the plan."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("verdict", choices=["approve", "reject"])
    parser.add_argument("--reason", required=True)
    parser.add_argument("--operator", required=True)
    parser.add_argument("--approvals-table", required=True)
    parser.add_argument("--audit-table", required=True)
    args = parser.parse_args(argv)
    reason = args.reason.strip()
    if not reason or len(reason) > MAX_REASON:
        print(f"error: --reason must be 1 to {MAX_REASON} characters", file=sys.stderr)
        return EXIT_BAD_INPUT
    raw = sys.stdin.read().strip()  # get-item prints nothing at all for a missing key
    found = json.loads(raw) if raw else {}
    if "Item" not in found:
        print("error: no approval with that id", file=sys.stderr)
        return EXIT_UNKNOWN
    item = found["Item"]
    if item.get("status", {}).get("S") != Status.PENDING.value:
        print(
            f"error: this approval is already {item.get('status', {}).get('S')}; nothing changed",
            file=sys.stderr,
        )
        return EXIT_DECIDED
    at = datetime.now(UTC).isoformat()
    tables = (args.approvals_table, args.audit_table)
    decided = plan(item, args.verdict, reason=reason, operator=args.operator, tables=tables, at=at)
    print(json.dumps(decided))
    return 0


if __name__ == "__main__":
    sys.exit(main())
