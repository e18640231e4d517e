"""The in-process click benchmark measures whole clicks, and refuses to time anything less."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from bench import click_overhead
from bench.click_overhead import Answering, floor, ours, run

if TYPE_CHECKING:
    from collections.abc import Callable


@pytest.mark.parametrize("build", [ours, floor])
def test_every_measured_click_is_answered_and_resumes_its_workflow(
    build: Callable[[Answering], Any],
) -> None:
    # A round of three clicks after the warm-up round: one figure, each click counted
    rounds = run(build, clicks=3, rounds=1)

    assert len(rounds) == 1
    assert rounds[0] > 0


def test_a_click_that_stops_short_of_the_callback_fails_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a Lambda API that no longer counts: as if the clicks stopped before resuming
    def build(world: Answering) -> object:
        app = ours(world)
        monkeypatch.setattr(world.lambda_api, "callbacks", 0)
        monkeypatch.setattr(
            type(world.lambda_api), "send_durable_execution_callback_success", lambda *_, **__: {}
        )
        return app

    # Then the run refuses to report a figure
    with pytest.raises(RuntimeError, match="did not resume"):
        run(build, clicks=2, rounds=1)


def test_main_reports_both_variants() -> None:
    medians = click_overhead.main(["--clicks", "2", "--rounds", "1"])

    assert set(medians) == {"ours", "floor"}
