"""The gate counts each approval once in EMF, however often the workflow replays."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from greenlight.core import metric_names
from greenlight.core.policy import Tier
from greenlight.gate import metrics as approval_metrics
from tests.unit.examples.orders.conftest import order
from tests.unit.examples.orders.test_approval_gate import LADDER, harness_with

if TYPE_CHECKING:
    import pytest

    from tests.fakes.workflow import FakeWorld


def emf_lines(text: str) -> list[dict[str, Any]]:
    """The EMF documents among captured stdout lines."""
    found = []
    for line in text.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            found.append(json.loads(line))
    return found


def test_a_request_that_expires_is_counted_requested_once_and_expired_once(
    world: FakeWorld, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the service name CDK sets on the function
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "greenlight-orders")
    runner, harness = harness_with(
        world, ladders={Tier.SINGLE: LADDER}, escalation_approvers=frozenset({"U0FRANK"})
    )

    # When a request runs up its whole ladder (the workflow replays at every rung)
    with runner:
        harness.result(harness.start(order()))

    # Then each count was written exactly once, in the namespace and dimensions the
    # dashboard reads
    documents = emf_lines(capsys.readouterr().out)
    names = [m["Name"] for d in documents for m in d["_aws"]["CloudWatchMetrics"][0]["Metrics"]]
    assert sorted(names) == sorted([approval_metrics.REQUESTED, approval_metrics.EXPIRED])
    for document in documents:
        (directive,) = document["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == metric_names.NAMESPACE
        assert directive["Dimensions"] == [["service"]]
        assert document["service"] == "greenlight-orders"
