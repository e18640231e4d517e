"""The gate's counts carry the dimension the construct's dashboard graphs each requester by."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from greenlight.core import metric_names
from greenlight.gate import metrics

if TYPE_CHECKING:
    import pytest


def counted(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    (line,) = [x for x in capsys.readouterr().out.splitlines() if '"_aws"' in x]
    document: dict[str, Any] = json.loads(line)
    return document


def test_in_lambda_the_service_is_the_function_name_whatever_powertools_is_told(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a requester whose owner named its Powertools service (grant_requester sets no name)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "deploy-gate")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "release-tooling")

    metrics.count(metrics.REQUESTED)

    document = counted(capsys)
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert directive["Dimensions"] == [["service"]]
    assert directive["Namespace"] == metric_names.NAMESPACE
    assert document["service"] == "deploy-gate"  # what the dashboard's row for it reads
    assert document[metrics.REQUESTED] == [1.0]


def test_outside_lambda_powertools_service_name_is_kept(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "greenlight-orders")

    metrics.count(metrics.EXPIRED)

    assert counted(capsys)["service"] == "greenlight-orders"
