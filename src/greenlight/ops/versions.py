"""Which published versions of the orders function can go: no alias, no unfinished execution.

An execution runs to its end on the version it started on, for up to the execution timeout.
That version is read from the execution's `DurableExecutionArn`, never from its `FunctionArn`:
botocore's lambda model (`botocore/data/lambda/2015-03-31/service-2.json`) gives the execution
ARN the pattern `...:function:NAME:($LATEST(.PUBLISHED)?|[0-9]+)/durable-execution/NAME/ID`,
and Lambda's developer guide (durable-security.html) says "The qualifier in a durable execution
ARN is always $LATEST or a version number" - an execution started through an alias carries the
resolved version. `FunctionArn` is "the ARN of the Lambda function that was invoked to start this
durable execution" (`GetDurableExecutionResponse`), a `NameSpacedFunctionArn` whose qualifier
may be an alias (`live`, through which every order starts) or absent. The stack retains every
published version so a deploy never strands one; this module tells which of them still matter.
Input is AWS CLI JSON: `list-versions-by-function`, `list-aliases`, and
`list-durable-executions-by-function` for each status that still needs its version. An
execution whose version cannot be read is an error: nothing is retired on a guess.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# ExecutionStatus values (botocore's lambda model) of executions that will run again.
UNFINISHED = ("RUNNING", "PAUSING", "PAUSED")
# botocore's lambda model, shape `DurableExecutionArn` (tests/unit/ops/test_versions.py checks
# this is the installed model's pattern); group 5 is the version.
EXECUTION_ARN = re.compile(
    r"arn:([a-zA-Z0-9-]+):lambda:([a-zA-Z0-9-]+):(\d{12}):function:([a-zA-Z0-9_-]+):"
    r"(\$LATEST(?:\.PUBLISHED)?|[0-9]+)/durable-execution/([a-zA-Z0-9_-]+)/([a-zA-Z0-9_-]+)"
)


@dataclass(frozen=True, slots=True)
class VersionState:
    """One published version and what still holds it."""

    version: str
    aliases: tuple[str, ...]
    unfinished: int

    @property
    def is_retirable(self) -> bool:
        """No alias sends new executions to it and none of its executions is unfinished."""
        return not self.aliases and self.unfinished == 0

    def line(self) -> str:
        """One row of the operator's table."""
        held = []
        if self.aliases:
            held.append(f"alias {', '.join(self.aliases)}")
        if self.unfinished:
            held.append(f"{self.unfinished} unfinished execution(s)")
        verdict = "retire" if self.is_retirable else "keep (" + "; ".join(held) + ")"
        return f"{self.version:>8}  {verdict}"


def version_of(execution_arn: str) -> str:
    """The version an execution runs on, from its durable execution ARN.

    Raises:
        ValueError: not a durable execution ARN (so its version cannot be known).
    """
    found = EXECUTION_ARN.fullmatch(execution_arn)
    if found is None:
        msg = f"'{execution_arn}' is not a durable execution ARN: its version cannot be read"
        raise ValueError(msg)
    return found.group(5)


def plan(
    versions: dict[str, Any], aliases: dict[str, Any], executions: list[dict[str, Any]]
) -> list[VersionState]:
    """Every published version (not $LATEST), oldest first, with what holds it."""
    by_version: dict[str, list[str]] = {}
    for alias in aliases.get("Aliases", []):
        by_version.setdefault(alias["FunctionVersion"], []).append(alias["Name"])
        weights = alias.get("RoutingConfig", {}).get("AdditionalVersionWeights", {})
        for weighted in weights:
            by_version.setdefault(weighted, []).append(alias["Name"])
    counts: dict[str, int] = {}
    seen: set[str] = set()
    for listing in executions:
        for execution in listing.get("DurableExecutions", []):
            arn = execution["DurableExecutionArn"]
            if arn in seen or execution.get("Status") not in UNFINISHED:
                continue
            seen.add(arn)
            version = version_of(arn)
            counts[version] = counts.get(version, 0) + 1
    published = sorted(
        (v["Version"] for v in versions.get("Versions", []) if v["Version"] != "$LATEST"),
        key=int,
    )
    return [
        VersionState(v, tuple(sorted(by_version.get(v, []))), counts.get(v, 0)) for v in published
    ]


def main(argv: list[str] | None = None) -> int:
    """Print the table (default) or only the retirable versions (`--retirable`)."""
    parser = argparse.ArgumentParser(prog="python -m greenlight.ops.versions")
    parser.add_argument("versions", type=Path)
    parser.add_argument("aliases", type=Path)
    parser.add_argument("executions", type=Path, nargs="+")
    parser.add_argument("--retirable", action="store_true")
    args = parser.parse_args(argv)
    try:
        states = plan(
            json.loads(args.versions.read_text()),
            json.loads(args.aliases.read_text()),
            [json.loads(path.read_text()) for path in args.executions],
        )
    except (ValueError, KeyError) as err:
        print(f"error: unexpected AWS CLI output: {err}", file=sys.stderr)
        return 1
    if args.retirable:
        print(" ".join(s.version for s in states if s.is_retirable))
    else:
        print("\n".join(s.line() for s in states) if states else "no published versions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
