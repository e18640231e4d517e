"""`python -m examples.deploy_gate.request`: what start-deploy.sh sends, checked first."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING

from examples.deploy_gate.request import execution_name, main

if TYPE_CHECKING:
    import pytest


def test_flags_build_a_green_production_request_named_by_the_deploy(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["--service", "api", "--version", "v2.3.0", "--by", "U0ALICE"])

    request, name = capsys.readouterr().out.splitlines()
    assert code == 0
    assert json.loads(request) == {
        "service": "api",
        "version": "v2.3.0",
        "environment": "production",
        "requested_by": "U0ALICE",
        "summary": "",
        "ci": {"unit tests": "passed", "integration tests": "passed"},
    }
    assert name == "deploy-api-v2-3-0-production"


def test_a_bad_request_exits_2_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--service", "api", "--version", "v2.3.0", "--by", "alice"])

    assert code == 2
    assert capsys.readouterr().err == "error: invalid requested_by: 'alice'\n"


def test_stdin_that_is_not_json_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("{not json"))

    assert main(["-"]) == 2
    assert capsys.readouterr().err == "error: the deploy request is not JSON\n"


def test_a_long_name_is_cut_to_lambdas_64() -> None:
    name = execution_name({"service": "s" * 60, "version": "1.0", "environment": "staging"})

    assert len(name) == 64
