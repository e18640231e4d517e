"""How the click benchmark turns rounds of clicks into one row: pooled, not averaged."""

from __future__ import annotations

import pytest

from bench.run import summary
from bench.servers import CLICK_LEVELS, CLICK_ROUNDS, CLICK_VARIANTS, click_tables


def test_rounds_are_pooled_so_one_slow_round_sets_the_p99_not_a_mean() -> None:
    quick = {"latencies": [0.010] * 99, "failures": 0, "wall": 1.0}
    slow = {"latencies": [0.010] * 98 + [0.500], "failures": 1, "wall": 3.0}

    row = summary([quick, slow])

    assert row["requests"] == 198
    assert row["rounds"] == 2
    assert row["failures"] == 1
    assert row["p50_ms"] == pytest.approx(10.0)
    assert row["p99_ms"] == pytest.approx(10.0)  # 1 slow click in 198 is under the 99th
    assert row["per_second"] == pytest.approx(198 / 4.0)


def test_the_p99_is_the_click_at_the_99th_percentile_of_all_rounds() -> None:
    rounds = [
        {"latencies": [i / 1000 for i in range(1, 101)], "failures": 0, "wall": 1.0},
        {"latencies": [i / 1000 for i in range(101, 201)], "failures": 0, "wall": 1.0},
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
