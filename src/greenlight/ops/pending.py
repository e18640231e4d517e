"""Formats `aws dynamodb query` output of pending approvals (stdin) as one line each."""

from __future__ import annotations

import sys
from typing import Any

from greenlight.aws.approval_store import untyped
from greenlight.core.record import ApprovalRecord
from greenlight.ops.query_output import NotQueryOutputError, read


def lines(query_output: dict[str, Any]) -> list[str]:
    """approval id, created, amount, title, and who it waits on."""
    records = [ApprovalRecord.from_item(untyped(item)) for item in query_output.get("Items", [])]
    return [
        f"{r.approval_id}  {r.created_at[:16]}  {r.request.amount_text:>16}  {r.request.title}"
        f"  (waiting on {', '.join(r.waiting_on()) or 'nobody'}; expires {r.expires_at[:16]})"
        for r in records
    ]


def main() -> int:
    """Print the lines, or say that nothing is pending."""
    try:
        found = lines(read(sys.stdin))
    except NotQueryOutputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print("\n".join(found) if found else "no pending approvals")
    return 0


if __name__ == "__main__":
    sys.exit(main())
