"""Formats an audit-table query (AWS CLI JSON on stdin) as a timeline, one line per event.

`aws dynamodb query … --output json | python -m greenlight.ops.audit_timeline`
"""

from __future__ import annotations

import sys
from typing import Any

from greenlight.aws.approval_store import untyped
from greenlight.core.audit import AuditEvent
from greenlight.ops.query_output import NotQueryOutputError, read


def timeline(query_output: dict[str, Any]) -> list[str]:
    """The query's items as timeline lines, in their stored (chronological) order."""
    return [AuditEvent.from_item(untyped(item)).line() for item in query_output.get("Items", [])]


def main() -> int:
    """Read the query from stdin; exit 1 when there is no such approval."""
    try:
        lines = timeline(read(sys.stdin))
    except NotQueryOutputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if not lines:
        print("error: no audit trail for that approval id", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
