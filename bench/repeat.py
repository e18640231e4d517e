"""Several `bench.run` results as one table of ratios: median and spread over the runs.

On a 2-core machine shared with other work, one run's ratios move by tenths between runs, so
the targets (ours/floor at most 1.1 per click, 1.05 at cold start) are judged on the median of a
few runs, with their lowest and highest beside it. `python -m bench.repeat r1.json r2.json …
[--write]`: prints the table; with `--write`, appends it to bench/results.md and keeps the runs'
figures in bench/results-repeat.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
LEVELS = ("1", "10", "50")
COLD_OURS, COLD_FLOOR = "webhook handler", "floor"


def ratios(result: dict[str, Any]) -> dict[str, float]:
    """One run's ours/floor ratios: p50, p99, CPU (webhook alone, and with the local stack)
    per concurrency; cold start wall and CPU."""
    out: dict[str, float] = {}
    clicks = result["clicks"]
    for level in LEVELS:
        ours, floor = clicks["ours"][level], clicks["floor"][level]
        out[f"p50 {level}"] = ours["p50_ms"] / floor["p50_ms"]
        out[f"p99 {level}"] = ours["p99_ms"] / floor["p99_ms"]
        out[f"webhook CPU {level}"] = ours["server_cpu_ms"] / floor["server_cpu_ms"]
        total = ours["server_cpu_ms"] + ours["stack_cpu_ms"]
        out[f"CPU with stack {level}"] = total / (floor["server_cpu_ms"] + floor["stack_cpu_ms"])
        if "secure" in clicks:  # the lower bound, against the floor (absent from older runs)
            low = clicks["secure"][level]
            out[f"lower bound p50 {level}"] = low["p50_ms"] / floor["p50_ms"]
            out[f"lower bound CPU with stack {level}"] = (
                low["server_cpu_ms"] + low["stack_cpu_ms"]
            ) / (floor["server_cpu_ms"] + floor["stack_cpu_ms"])
    cold = result["cold_start"]
    out["cold start wall"] = cold[COLD_OURS]["median_ms"] / cold[COLD_FLOOR]["median_ms"]
    out["cold start CPU"] = cold[COLD_OURS]["cpu_median_ms"] / cold[COLD_FLOOR]["cpu_median_ms"]
    return out


def table(runs: list[dict[str, Any]]) -> str:
    """Markdown: each ratio's median over the runs, and its lowest and highest."""
    each = [ratios(r) for r in runs]
    commits = ", ".join(sorted({r["machine"]["commit"] for r in runs}))
    lines = [
        f"Repeated: {len(runs)} runs of `bench.run` (commit {commits}); each ratio ours/floor "
        "(lower bound/floor where it says so), median (lowest–highest).",
        "",
        "| ratio ours/floor | median | lowest–highest |",
        "|---|---|---|",
    ]
    for name in each[0]:
        values = [r[name] for r in each]
        lines.append(
            f"| {name} | {statistics.median(values):.2f}× | {min(values):.2f}–{max(values):.2f}× |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("results", nargs="+", type=Path, help="bench.run's results.json files")
    parser.add_argument("--write", action="store_true", help="append to bench/results.md")
    args = parser.parse_args(argv)
    runs = [json.loads(p.read_text()) for p in args.results]
    text = table(runs)
    print(text)
    if args.write:
        with (HERE / "results.md").open("a") as out:
            out.write("\n" + text)
        kept = [{"machine": r["machine"], "ratios": ratios(r)} for r in runs]
        (HERE / "results-repeat.json").write_text(json.dumps(kept, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
