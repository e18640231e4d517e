"""Delivers an order event to the local stack through the same starter Lambda code as AWS.

`python -m localdev.put_event EVENT.json|-`: a refused event goes to the local dead-letter
queue with its reason, and nothing is started.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from examples.orders.starter import DEFAULT_DETAIL_TYPE, DEFAULT_SOURCE, start
from greenlight.core.errors import InvalidRequestError
from localdev.config import FUNCTION_NAME, StackConfig, default_root
from localdev.dead_letters import send_to_dead_letters
from localdev.demo import lambda_client


def main(argv: list[str] | None = None) -> int:
    """Start from an event file (or stdin); exit 1 when the event is refused."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("event", help="event JSON file, or - for stdin")
    args = parser.parse_args(argv)
    config = StackConfig.load(default_root())
    text = sys.stdin.read() if args.event == "-" else Path(args.event).read_text()
    try:
        started = start(
            json.loads(text),
            lambda_client(config),
            f"{FUNCTION_NAME}:live",
            DEFAULT_SOURCE,
            DEFAULT_DETAIL_TYPE,
        )
    except (ValueError, InvalidRequestError) as err:
        send_to_dead_letters(config, text, str(err))
        print(f"error: event refused ({err}); kept in the dead-letter queue", file=sys.stderr)
        return 1
    print(json.dumps(started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
