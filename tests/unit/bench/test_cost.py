"""The cost model's counting rules, on a history small enough to count by hand."""

from __future__ import annotations

from typing import Any

from bench.cost import count, price


def event(kind: str, id_: str, **more: Any) -> dict[str, Any]:
    return {"EventType": kind, "Id": id_} | more


HISTORY = [
    event("ExecutionStarted", "x"),
    event("ContextStarted", "p", SubType="Parallel"),
    event("ContextStarted", "b1", SubType="ParallelBranch"),
    event("StepStarted", "s1"),
    event("StepFailed", "s1"),
    event("StepStarted", "s1"),  # its retry
    event("StepSucceeded", "s1", StepSucceededDetails={"Result": {"Payload": "12345"}}),
    event("CallbackStarted", "c1"),
    event("InvocationCompleted", "i1"),
    event("CallbackSucceeded", "c1"),
    event("WaitStarted", "w1"),
    event("InvocationCompleted", "i2"),
]


def test_operations_retries_invocations_and_result_bytes_are_counted() -> None:
    counted = count(HISTORY)
    assert counted == {
        "step": 1,
        "wait": 1,
        "callback": 1,
        "context": 2,
        "invoke": 0,
        "retries": 1,
        "invocations": 2,
        "parallels": 1,
        "result_bytes": 5,
        "gate_contexts": 0,
        "gate_inside": 0,
    }


def test_the_gates_operations_are_counted_apart() -> None:
    # Given a gate's context holding a callback and a step (started, retried), and a step outside
    history = [
        event("ContextStarted", "g", SubType="GreenlightApproval", Name="approval"),
        event("CallbackStarted", "c", ParentId="g"),
        event("StepStarted", "p", ParentId="g"),
        event("StepFailed", "p", ParentId="g"),
        event("StepStarted", "p", ParentId="g"),
        event("StepSucceeded", "p", ParentId="g"),
        event("ContextStarted", "other", SubType="RunInChildContext"),
        event("StepStarted", "o", ParentId="other"),
    ]

    counted = count(history)

    assert (counted["gate_contexts"], counted["gate_inside"]) == (1, 2)
    assert price(counted)["durable_operations"] == 6  # 2 contexts, callback, 2 steps, 1 retry


def test_both_services_are_priced_from_the_same_counts() -> None:
    priced = price(count(HISTORY))
    assert priced["durable_operations"] == 6  # step, wait, callback, 2 contexts, 1 retry
    assert priced["sfn_transitions"] == 5  # step, callback task, wait, parallel, retry
    assert priced["sfn_lambda_requests"] == 3  # step, its retry, the callback's posting
    assert priced["durable_usd_per_1m"] == 6 * 8.00 + 2 * 0.20
    assert priced["sfn_usd_per_1m"] == 5 * 25.00 + 3 * 0.20
