"""The local stack's functions: one table, each handler loaded by Lambda's `Handler` path."""

from __future__ import annotations

import pytest

from localdev.functions import LocalFunction, environment, load

ECHO = "tests.unit.localdev.test_functions.echo"


def echo(event: object, _context: object) -> object:
    return event


def test_a_function_loads_with_its_handler_and_durable_config() -> None:
    process: dict[str, str] = {}

    [loaded] = load((LocalFunction("echo-fn", ECHO, 60, 1, {"ECHO_MODE": "loud"}),), process)

    assert (loaded.name, loaded.execution_timeout_seconds, loaded.retention_days) == (
        "echo-fn",
        60,
        1,
    )
    assert loaded.handler({"a": 1}, None) == {"a": 1}
    assert process == {"ECHO_MODE": "loud"}


def test_the_process_environment_wins_over_a_functions_default() -> None:
    functions = (LocalFunction("echo-fn", ECHO, 60, 1, {"ECHO_MODE": "loud", "ECHO_TO": "x"}),)

    assert environment(functions, {"ECHO_MODE": "quiet"}) == {"ECHO_TO": "x"}


def test_two_functions_may_not_give_one_variable_two_values() -> None:
    functions = (
        LocalFunction("one-fn", ECHO, 60, 1, {"SHARED": "a"}),
        LocalFunction("two-fn", ECHO, 60, 1, {"SHARED": "b"}),
    )

    with pytest.raises(ValueError, match="two-fn and another function both set SHARED"):
        environment(functions, {})
    # Agreeing on a value is fine: one process, one environment
    assert environment((functions[0], functions[0]), {}) == {"SHARED": "a"}


def test_with_a_real_workspace_values_come_from_the_stacks_variables() -> None:
    function = LocalFunction(
        "echo-fn",
        ECHO,
        60,
        1,
        {"ECHO_CHANNEL": "C0FAKE", "ECHO_MODE": "loud"},
        real_slack={"ECHO_CHANNEL": "SLACK_CHANNEL"},
    )
    fake = {"GREENLIGHT_SLACK_API_URL": "http://127.0.0.1:8080/api/", "SLACK_CHANNEL": "C0REAL"}
    real = {"SLACK_CHANNEL": "C0REAL"}

    assert environment((function,), fake) == {"ECHO_CHANNEL": "C0FAKE", "ECHO_MODE": "loud"}
    assert environment((function,), real) == {"ECHO_CHANNEL": "C0REAL", "ECHO_MODE": "loud"}
