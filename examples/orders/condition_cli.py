"""Explains why `scripts/set-condition.sh` was refused, from `aws dynamodb get-item` output (stdin).

The script's update is conditional on the review still being `pending`; when the condition
fails, this says what happened to the order instead: never reviewed (unknown order), already
settled, or given up by the workflow (`expired`, with what the workflow did to the order).
Prints one line; exit code 0 (the caller decides its own exit code).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

# What the workflow does to an order whose review it stopped waiting for (examples.orders.workflow).
_OUTCOMES = {
    "review_timed_out": "it was not reviewed in time",
    "review_unavailable": "its review could not be read",
}


def refusal(order_id: str, verdict: str, get_item_output: dict[str, Any]) -> str:
    """Why setting `verdict` on `order_id` was refused, in one line an operator can act on."""
    deserialize = TypeDeserializer().deserialize
    item = {k: deserialize(v) for k, v in get_item_output.get("Item", {}).items()}
    status = str(item.get("status", ""))
    if not item:
        return f"order {order_id} is not waiting on a review (unknown order); nothing changed"
    if status == "expired":
        why = _OUTCOMES.get(str(item.get("outcome", "")), "the workflow stopped waiting")
        at = f" at {item['closed_at']}" if item.get("closed_at") else ""
        return (
            f"order {order_id} is no longer waiting on a review: the workflow gave up{at} "
            f"because {why}, and its saga undoes the order (payment refunded, reservations "
            f"released; operators are alerted if an undo fails); '{verdict}' was not recorded, "
            "nothing changed"
        )
    return (
        f"order {order_id} is not waiting on a review: it was already settled as '{status}'; "
        "nothing changed"
    )


def main(argv: list[str] | None = None) -> int:
    """Read get-item JSON from stdin and print the refusal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("order_id")
    parser.add_argument("verdict")
    args = parser.parse_args(argv)
    raw = sys.stdin.read().strip()
    print(refusal(args.order_id, args.verdict, json.loads(raw) if raw else {}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
