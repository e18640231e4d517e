"""How the click benchmark turns rounds of clicks into one row: pooled, not averaged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.repeat import ratios
from bench.run import cpu_seconds, markdown, summary
from bench.servers import CLICK_LEVELS, CLICK_ROUNDS, CLICK_VARIANTS, click_tables

ROOT = Path(__file__).resolve().parents[3]
IDLE = {"cpu_server": 0.0, "cpu_stack": 0.0}


def test_rounds_are_pooled_so_one_slow_round_sets_the_p99_not_a_mean() -> None:
    quick = {"latencies": [0.010] * 99, "failures": 0, "wall": 1.0, **IDLE}
    slow = {"latencies": [0.010] * 98 + [0.500], "failures": 1, "wall": 3.0, **IDLE}

    row = summary([quick, slow])

    assert row["requests"] == 198
    assert row["rounds"] == 2
    assert row["failures"] == 1
    assert row["p50_ms"] == pytest.approx(10.0)
    assert row["p99_ms"] == pytest.approx(10.0)  # 1 slow click in 198 is under the 99th
    assert row["per_second"] == pytest.approx(198 / 4.0)


def test_the_p99_is_the_click_at_the_99th_percentile_of_all_rounds() -> None:
    rounds = [
        {"latencies": [i / 1000 for i in range(1, 101)], "failures": 0, "wall": 1.0, **IDLE},
        {"latencies": [i / 1000 for i in range(101, 201)], "failures": 0, "wall": 1.0, **IDLE},
    ]

    row = summary(rounds)

    assert row["p99_ms"] == pytest.approx(199.0)
    assert row["p50_ms"] == pytest.approx(100.5)


def test_every_run_gets_its_own_tables() -> None:
    prefixes = {
        click_tables(variant, level, round_)
        for variant in CLICK_VARIANTS
        for level in CLICK_LEVELS
        for round_ in range(CLICK_ROUNDS)
    }

    assert len(prefixes) == len(CLICK_VARIANTS) * len(CLICK_LEVELS) * CLICK_ROUNDS


def test_cpu_per_click_is_the_rounds_cpu_over_all_their_clicks() -> None:
    rounds = [
        {
            "latencies": [0.01] * 100,
            "failures": 0,
            "wall": 1.0,
            "cpu_server": 0.5,
            "cpu_stack": 1.0,
        },
        {
            "latencies": [0.01] * 300,
            "failures": 0,
            "wall": 2.0,
            "cpu_server": 1.5,
            "cpu_stack": 1.0,
        },
    ]

    row = summary(rounds)

    assert row["server_cpu_ms"] == pytest.approx(5.0)
    assert row["stack_cpu_ms"] == pytest.approx(5.0)


def test_cpu_seconds_counts_what_a_process_burns() -> None:
    before = cpu_seconds(os.getpid())
    deadline = time.process_time() + 0.2
    while time.process_time() < deadline:
        pass

    assert cpu_seconds(os.getpid()) - before >= 0.15


def test_the_apparatus_runs_no_full_garbage_collection() -> None:
    # In a fresh interpreter: allocate enough cyclic garbage that the collector would run
    # several full collections with its default thresholds, and count them.
    code = (
        "import gc; from bench.common import no_full_collections; {setup}"
        "full = gc.get_stats()[2]['collections']\n"
        "for _ in range(3_000_000):\n"
        "    a = []; a.append(a)\n"
        "print(gc.get_stats()[2]['collections'] - full)"
    )

    def full_collections(setup: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", code.format(setup=setup)],
            capture_output=True, text=True, check=True, cwd=ROOT,
        )  # fmt: skip
        return int(done.stdout)

    assert full_collections("") > 0  # the workload does trigger them by default
    assert full_collections("no_full_collections(); ") == 0


def test_the_lower_bound_is_reported_against_the_floor_and_older_results_still_render() -> None:
    results = json.loads((ROOT / "bench" / "results.json").read_text())
    older = results | {  # as bench.run wrote them before the lower bounds
        "clicks": {k: v for k, v in results["clicks"].items() if k != "secure"},
        "cold_start": {
            k: v for k, v in results["cold_start"].items() if k != "floor + Powertools + Bolt app"
        },
    }
    floor = results["clicks"]["floor"]
    half_again = {
        level: row | {"p50_ms": 1.5 * row["p50_ms"], "p99_ms": 2 * row["p99_ms"]}
        for level, row in floor.items()
    }
    newer = results | {"clicks": older["clicks"] | {"secure": half_again}}

    assert "lower bound" not in markdown(older)
    rows = [line for line in markdown(newer).splitlines() if line.startswith("| 1 |")]
    assert any("| 1.50\u00d7 / 2.00\u00d7 |" in row for row in rows)  # ratios, times sign
    assert ratios(newer)["lower bound p50 1"] == pytest.approx(1.5)
    assert "lower bound p50 1" not in ratios(older)
