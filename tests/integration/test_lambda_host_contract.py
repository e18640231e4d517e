"""The local Lambda host against botocore's Lambda model, with the real durable runner behind it.

One endpoint, as on AWS: boto3 (which parses every reply with botocore's `lambda` model,
botocore/data/lambda/2015-03-31/service-2.json) calls Invoke and every durable API on the host
alone. Replies are checked against the model itself: ARNs against its `DurableExecutionArn`
pattern, statuses and error codes against the operation's listed errors, and whole outputs with
botocore's own validator over the output shapes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python_testing.token import CallbackToken, CheckpointToken
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.validate import ParamValidator

from localdev import function_names, lambda_host
from localdev.execution_arns import ParsedArn
from localdev.lambda_model import errors_of, pattern, service_model
from tests.conftest import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mypy_boto3_lambda import LambdaClient

FUNCTION = "contract-fn"
OTHER = "contract-other-fn"  # a second function on the same host, as Lambda hosts many
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",  # dummy, for SigV4 on loopback
    "AWS_DEFAULT_REGION": "us-east-1",
}


class Recorder:
    """What the durable handler saw: its execution ARNs and its callback ids, by order."""

    def __init__(self, runner_url: str) -> None:
        self.runner_url = runner_url
        self.arns: dict[str, str] = {}
        self.callbacks: dict[str, str] = {}
        self.other: dict[str, tuple[str, str]] = {}  # OTHER's executions: name -> (arn, callback)
        self.holding = threading.Event()  # set while a `hold` invocation of FUNCTION runs
        self.release = threading.Event()


def client_for(url: str) -> LambdaClient:
    return boto3.client(
        "lambda",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # dummy, for SigV4 on loopback
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Recorder]]:
    """The runner (a subprocess, as the local stack runs it) and the host (a thread) running a
    small durable function: it waits on one callback, or fails when asked to."""
    root = tmp_path_factory.mktemp("host")
    host_port, runner_port = free_port(), free_port()
    host_url, runner_url = f"http://127.0.0.1:{host_port}", f"http://127.0.0.1:{runner_port}"
    recorder = Recorder(runner_url)

    def workflow(event: Any, context: DurableContext) -> Any:
        order = str(event.get("order", ""))
        recorder.arns[order] = context.execution_context.durable_execution_arn
        if event.get("fail"):
            raise ValueError("the order is malformed")
        if event.get("quick"):
            return {"order": order}
        if event.get("hold"):  # this invocation keeps FUNCTION's one container busy
            recorder.holding.set()
            assert recorder.release.wait(timeout=30), "never released"
            return {"order": order}

        def submit(callback_id: str, _: Any) -> None:
            recorder.callbacks[order] = callback_id

        return {"order": order, "decision": context.wait_for_callback(submit, name="decision")}

    def other(event: Any, context: DurableContext) -> Any:
        name = str(event["name"])

        def submit(callback_id: str, _: Any) -> None:
            recorder.other[name] = (context.execution_context.durable_execution_arn, callback_id)

        return {"other": name, "answer": context.wait_for_callback(submit, name="answer")}

    client = client_for(host_url)
    functions = [
        lambda_host.FunctionConfig(
            FUNCTION,
            durable_execution(workflow, boto3_client=client),
            execution_timeout_seconds=600,
            retention_days=1,
        ),
        lambda_host.FunctionConfig(
            OTHER,
            durable_execution(other, boto3_client=client),
            execution_timeout_seconds=600,
            retention_days=1,
        ),
    ]
    names = function_names.ExecutionNames(root / "names.json")
    served = lambda_host.serve(
        lambda_host.LambdaHost(functions, runner_url, names), "127.0.0.1", host_port
    )
    threading.Thread(target=served.serve_forever, daemon=True).start()
    runner = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dex-local-runner"),
            "start-server",
            *("--host", "127.0.0.1", "--port", str(runner_port)),
            *("--lambda-endpoint", host_url, "--local-runner-endpoint", runner_url),
            *("--local-runner-region", "us-east-1", "--store-type", "memory"),
            *("--log-level", "WARNING"),
        ],
        env=os.environ | CREDENTIALS,
        stdout=subprocess.DEVNULL,
        stderr=(root / "runner.log").open("wb"),
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{runner_url}/health", timeout=1).close()
            break
        except (urllib.error.URLError, ConnectionError):
            assert time.monotonic() < deadline, "the runner did not start"
            time.sleep(0.1)
    yield host_url, recorder
    runner.terminate()
    runner.wait(timeout=10)
    served.shutdown()


def wait_for(check: Any, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def valid_output(operation: str, parsed: dict[str, Any]) -> None:
    """`parsed` (botocore's parse of our reply) satisfies the operation's output shape: required
    members, types, lengths (botocore's validator), and every ARN the model's pattern."""
    shape = service_model().operation_model(operation).output_shape
    assert shape is not None
    body = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
    report = ParamValidator().validate(body, shape)
    assert not report.has_errors(), report.generate_report()
    found = json.dumps(body, default=str)
    for arn in _values(body, "DurableExecutionArn"):
        assert pattern("DurableExecutionArn").fullmatch(arn), found


def _values(data: Any, key: str) -> list[str]:
    if isinstance(data, dict):
        return [v for k, v in data.items() if k == key] + [
            x for v in data.values() for x in _values(v, key)
        ]
    if isinstance(data, list):
        return [x for v in data for x in _values(v, key)]
    return []


def refused(call: Any, **params: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    error = caught.value.response["Error"]
    status = caught.value.response["ResponseMetadata"]["HTTPStatusCode"]
    return str(error["Code"]), int(status), str(error["Message"])


def start(url: str, order: str, **extra: Any) -> dict[str, Any]:
    response = client_for(url).invoke(
        FunctionName=f"{FUNCTION}:live",
        InvocationType="Event",
        DurableExecutionName=order,
        Payload=json.dumps({"order": order, **extra}).encode(),
    )
    return dict(response)


def test_invoke_answers_with_a_lambda_arn_the_workflow_sees_too(
    host: tuple[str, Recorder],
) -> None:
    url, recorder = host
    # When an execution is started by name
    response = start(url, "order-1")

    # Then the reply is Invoke's: 202, the executed version, an ARN of the model's form
    valid_output("Invoke", response)
    arn = response["DurableExecutionArn"]
    assert response["StatusCode"] == 202
    assert response["ExecutedVersion"] == "$LATEST"
    assert arn.startswith(
        f"arn:aws:lambda:us-east-1:123456789012:function:{FUNCTION}:$LATEST"
        "/durable-execution/order-1/"
    )
    # And the workflow records the same ARN (it is what it stores and checkpoints with)
    assert wait_for(lambda: recorder.arns.get("order-1")) == arn


def test_get_list_and_history_take_and_give_the_same_arn(host: tuple[str, Recorder]) -> None:
    url, recorder = host
    arn = start(url, "order-2")["DurableExecutionArn"]
    wait_for(lambda: recorder.callbacks.get("order-2"))
    lam = client_for(url)

    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    listed = lam.list_durable_executions_by_function(
        FunctionName=f"arn:aws:lambda:us-east-1:123456789012:function:{FUNCTION}",
        DurableExecutionName="order-2",
    )
    history = lam.get_durable_execution_history(DurableExecutionArn=arn)

    valid_output("GetDurableExecution", dict(execution))
    valid_output("ListDurableExecutionsByFunction", dict(listed))
    valid_output("GetDurableExecutionHistory", dict(history))
    assert (execution["DurableExecutionArn"], execution["Status"]) == (arn, "RUNNING")
    assert [e["DurableExecutionArn"] for e in listed["DurableExecutions"]] == [arn]
    assert "CallbackStarted" in [e["EventType"] for e in history["Events"]]


@pytest.mark.parametrize(
    ("qualifier", "invoked"),
    [(":live", f":function:{FUNCTION}:live"), ("", f":function:{FUNCTION}")],
    ids=["alias", "unqualified"],
)
def test_function_arn_is_the_invoked_arn_and_the_version_is_in_the_execution_arn(
    host: tuple[str, Recorder], qualifier: str, invoked: str
) -> None:
    # botocore's model: GetDurableExecutionResponse.FunctionArn is "the ARN of the Lambda
    # function that was invoked to start this durable execution" (a NameSpacedFunctionArn:
    # alias-qualified or unqualified as invoked); the DurableExecutionArn's qualifier is always
    # $LATEST or a version (Lambda developer guide, durable-security.html)
    url, recorder = host
    name = f"invoked{qualifier.replace(':', '-')}"
    lam = client_for(url)
    arn = lam.invoke(
        FunctionName=f"{FUNCTION}{qualifier}",
        InvocationType="Event",
        DurableExecutionName=name,
        Payload=json.dumps({"order": name}).encode(),
    )["DurableExecutionArn"]
    wait_for(lambda: recorder.callbacks.get(name))

    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    listed = lam.list_durable_executions_by_function(
        FunctionName=FUNCTION, DurableExecutionName=name
    )["DurableExecutions"]

    expected = f"arn:aws:lambda:us-east-1:123456789012{invoked}"
    assert pattern("NameSpacedFunctionArn").fullmatch(expected)
    assert execution["FunctionArn"] == expected
    assert [(e["DurableExecutionArn"], e["FunctionArn"]) for e in listed] == [(arn, expected)]
    assert ParsedArn.parse(arn).version == "$LATEST"


def test_a_callback_resumes_once_then_is_closed(host: tuple[str, Recorder]) -> None:
    url, recorder = host
    arn = start(url, "order-3")["DurableExecutionArn"]
    callback_id = wait_for(lambda: recorder.callbacks.get("order-3"))
    lam = client_for(url)

    # When the callback succeeds
    sent = lam.send_durable_execution_callback_success(CallbackId=callback_id, Result=b'"yes"')
    valid_output("SendDurableExecutionCallbackSuccess", dict(sent))

    # Then the execution finishes with it
    done = wait_for(
        lambda: (
            (e := lam.get_durable_execution(DurableExecutionArn=arn))["Status"] != "RUNNING" and e
        )
    )
    assert (done["Status"], json.loads(done["Result"])) == (
        "SUCCEEDED",
        {"order": "order-3", "decision": '"yes"'},
    )
    # And a second answer is refused as Lambda refuses a closed callback
    code, status, _ = refused(
        lam.send_durable_execution_callback_failure,
        CallbackId=callback_id,
        Error={"ErrorMessage": "late"},
    )
    assert (code, status) == ("CallbackTimeoutException", 400)
    assert code in errors_of("SendDurableExecutionCallbackFailure")


def test_an_unknown_callback_is_not_found(host: tuple[str, Recorder]) -> None:
    url, _ = host
    code, status, _ = refused(
        client_for(url).send_durable_execution_callback_success,
        CallbackId="bm90LWEtY2FsbGJhY2s=",
        Result=b"{}",
    )
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_a_reused_name_with_another_payload_is_refused(host: tuple[str, Recorder]) -> None:
    url, _ = host
    first = start(url, "order-4")
    again = start(url, "order-4")

    assert again["DurableExecutionArn"] == first["DurableExecutionArn"]
    code, status, _ = refused(start, url=url, order="order-4", other=True)
    assert (code, status) == ("DurableExecutionAlreadyStartedException", 409)
    assert code in errors_of("Invoke")


def test_a_synchronous_invoke_returns_the_result_or_a_function_error(
    host: tuple[str, Recorder],
) -> None:
    url, _ = host
    lam = client_for(url)

    ok = lam.invoke(
        FunctionName=FUNCTION,
        DurableExecutionName="order-5",
        Payload=json.dumps({"order": "order-5", "quick": True}).encode(),
    )
    failed = lam.invoke(
        FunctionName=FUNCTION,
        DurableExecutionName="order-6",
        Payload=json.dumps({"order": "order-6", "fail": True}).encode(),
    )

    assert ok["StatusCode"] == 200
    assert "FunctionError" not in ok
    assert json.loads(ok["Payload"].read()) == {"order": "order-5"}
    assert (failed["StatusCode"], failed["FunctionError"]) == (200, "Unhandled")
    error = json.loads(failed["Payload"].read())
    assert error["errorMessage"] == "the order is malformed"
    assert failed["ExecutedVersion"] == "$LATEST"


def test_stop_ends_a_waiting_execution(host: tuple[str, Recorder]) -> None:
    url, recorder = host
    arn = start(url, "order-7")["DurableExecutionArn"]
    wait_for(lambda: recorder.callbacks.get("order-7"))
    lam = client_for(url)

    stopped = lam.stop_durable_execution(DurableExecutionArn=arn)

    valid_output("StopDurableExecution", dict(stopped))
    assert lam.get_durable_execution(DurableExecutionArn=arn)["Status"] == "STOPPED"


@pytest.mark.parametrize(
    ("operation", "params", "expected"),
    [
        ("invoke", {"FunctionName": "another-fn"}, ("ResourceNotFoundException", 404)),
        (
            "invoke",
            {"FunctionName": f"arn:aws:lambda:eu-west-1:123456789012:function:{FUNCTION}"},
            ("ResourceNotFoundException", 404),
        ),
        ("invoke", {"FunctionName": f"{FUNCTION}:nope"}, ("ResourceNotFoundException", 404)),
        (
            "invoke",
            {"FunctionName": FUNCTION, "Payload": b"not json", "DurableExecutionName": "x"},
            ("InvalidRequestContentException", 400),
        ),
        (
            "invoke",
            {"FunctionName": FUNCTION, "DurableExecutionName": "has spaces"},
            ("InvalidParameterValueException", 400),
        ),
        (
            "get_durable_execution",
            {"DurableExecutionArn": "uuid/uuid"},
            ("InvalidParameterValueException", 400),
        ),
        (
            "get_durable_execution_history",
            {
                "DurableExecutionArn": f"arn:aws:lambda:us-east-1:123456789012:function:{FUNCTION}"
                ":$LATEST/durable-execution/nobody/00000000-0000-0000-0000-000000000000_x"
            },
            ("ResourceNotFoundException", 404),
        ),
        (
            "list_durable_executions_by_function",
            {"FunctionName": "another-fn"},
            ("ResourceNotFoundException", 404),
        ),
    ],
)
def test_bad_requests_get_the_models_errors(
    host: tuple[str, Recorder],
    operation: str,
    params: dict[str, Any],
    expected: tuple[str, int],
) -> None:
    url, _ = host
    lam = client_for(url)
    code, status, message = refused(getattr(lam, operation), **params)

    assert (code, status) == expected
    assert message
    model_name = lam.meta.method_to_api_mapping[operation]
    assert code in errors_of(model_name)


def test_a_wrong_name_in_a_real_arn_is_not_found(host: tuple[str, Recorder]) -> None:
    url, _ = host
    arn = start(url, "order-8")["DurableExecutionArn"]
    other = arn.replace("/order-8/", "/order-9/")

    code, status, _ = refused(client_for(url).get_durable_execution, DurableExecutionArn=other)

    assert (code, status) == ("ResourceNotFoundException", 404)


def test_unknown_paths_and_unserved_operations_answer_as_lambda(
    host: tuple[str, Recorder],
) -> None:
    url, _ = host
    # An operation of the model the local stack does not run: a modeled error, not a hang
    code, status, _ = refused(client_for(url).get_function, FunctionName=FUNCTION)
    assert (code, status) == ("InvalidParameterValueException", 400)

    # A path that is no operation: 404 with an error type, JSON body
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{url}/2015-03-31/nothing-here", timeout=5)
    assert caught.value.code == 404
    assert caught.value.headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert json.loads(caught.value.read())["Type"] == "User"


def test_a_stale_checkpoint_token_reads_as_the_sdk_expects_it(host: tuple[str, Recorder]) -> None:
    # The durable SDK retries the invocation (rather than failing the execution) only when a 4xx
    # is InvalidParameterValueException starting "Invalid checkpoint token"; the runner's own
    # reply carries no error type, which botocore reads as code "400".
    url, recorder = host
    arn = start(url, "order-10")["DurableExecutionArn"]
    callback_id = wait_for(lambda: recorder.callbacks.get("order-10"))
    runner_arn = CallbackToken.from_str(callback_id).execution_arn  # the runner's form, for a test
    stale = CheckpointToken(runner_arn, 999_999).to_str()

    code, status, message = refused(
        client_for(url).checkpoint_durable_execution, DurableExecutionArn=arn, CheckpointToken=stale
    )

    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message.startswith("Invalid checkpoint token")


def test_invoke_without_a_name_gets_a_generated_one_and_dry_run_starts_nothing(
    host: tuple[str, Recorder],
) -> None:
    url, _ = host
    lam = client_for(url)

    unnamed = lam.invoke(FunctionName=FUNCTION, InvocationType="Event", Payload=b'{"quick": 1}')
    dry = lam.invoke(FunctionName=FUNCTION, InvocationType="DryRun", Payload=b"{}")

    name = ParsedArn.parse(unnamed["DurableExecutionArn"]).name
    assert pattern("DurableExecutionName").fullmatch(name)
    assert dry["StatusCode"] == 204
    assert "DurableExecutionArn" not in dry


def test_a_restarted_host_still_knows_every_arn(host: tuple[str, Recorder], tmp_path: Path) -> None:
    # Given an execution started through the host
    url, recorder = host
    arn = start(url, "order-11")["DurableExecutionArn"]
    wait_for(lambda: recorder.callbacks.get("order-11"))

    # When a fresh host (nothing in memory) on the same runner is asked about it
    fresh = lambda_host.LambdaHost(
        [
            lambda_host.FunctionConfig(
                name, lambda _event, _context: None, execution_timeout_seconds=600, retention_days=1
            )
            for name in (FUNCTION, OTHER)
        ],
        recorder.runner_url,
        function_names.ExecutionNames(tmp_path / "names.json"),
    )
    served = lambda_host.serve(fresh, "127.0.0.1", 0)
    threading.Thread(target=served.serve_forever, daemon=True).start()
    try:
        got = client_for(f"http://127.0.0.1:{served.server_port}").get_durable_execution(
            DurableExecutionArn=arn
        )
    finally:
        served.shutdown()

    # Then it finds it on the runner, under the same ARN
    assert (got["DurableExecutionArn"], got["Status"]) == (arn, "RUNNING")


def test_each_function_runs_its_own_handler_under_its_own_arns(host: tuple[str, Recorder]) -> None:
    # Given one execution name used by both functions on the host
    url, recorder = host
    lam = client_for(url)
    mine = start(url, "shared-name")["DurableExecutionArn"]
    theirs = lam.invoke(
        FunctionName=f"arn:aws:lambda:us-east-1:123456789012:function:{OTHER}:live",
        InvocationType="Event",
        DurableExecutionName="shared-name",
        Payload=json.dumps({"name": "shared-name"}).encode(),  # another input: another function
    )["DurableExecutionArn"]

    # Then they are two executions, each run by its function's handler under its function's ARN
    assert mine != theirs
    assert ParsedArn.parse(mine).function == FUNCTION
    assert ParsedArn.parse(theirs).function == OTHER
    assert wait_for(lambda: recorder.other.get("shared-name"))[0] == theirs
    assert wait_for(lambda: recorder.callbacks.get("shared-name"))
    # And each function lists only its own
    listed = {
        name: [
            e["DurableExecutionArn"]
            for e in lam.list_durable_executions_by_function(
                FunctionName=name, DurableExecutionName="shared-name"
            )["DurableExecutions"]
        ]
        for name in (FUNCTION, OTHER)
    }
    assert listed == {FUNCTION: [mine], OTHER: [theirs]}


def test_a_callback_resumes_the_other_functions_execution(host: tuple[str, Recorder]) -> None:
    # Given an execution of the second function waiting on its callback
    url, recorder = host
    lam = client_for(url)
    lam.invoke(
        FunctionName=OTHER,
        InvocationType="Event",
        DurableExecutionName="other-1",
        Payload=b'{"name": "other-1"}',
    )
    arn, callback_id = wait_for(lambda: recorder.other.get("other-1"))

    # When the callback is answered through the one endpoint, as the webhook answers it
    lam.send_durable_execution_callback_success(CallbackId=callback_id, Result=b'"go"')

    # Then that function's execution finishes with its own handler's result
    done = wait_for(
        lambda: (
            (e := lam.get_durable_execution(DurableExecutionArn=arn))["Status"] != "RUNNING" and e
        )
    )
    assert (done["Status"], json.loads(done["Result"])) == (
        "SUCCEEDED",
        {"other": "other-1", "answer": '"go"'},
    )
    history = lam.get_durable_execution_history(DurableExecutionArn=arn)
    valid_output("GetDurableExecutionHistory", dict(history))


def test_a_restarted_host_knows_which_function_an_execution_belongs_to(
    host: tuple[str, Recorder], tmp_path: Path
) -> None:
    url, recorder = host
    client_for(url).invoke(
        FunctionName=OTHER,
        InvocationType="Event",
        DurableExecutionName="other-2",
        Payload=b'{"name": "other-2"}',
    )
    arn, _ = wait_for(lambda: recorder.other.get("other-2"))
    fresh = lambda_host.LambdaHost(
        [
            lambda_host.FunctionConfig(
                name, lambda _event, _context: None, execution_timeout_seconds=600, retention_days=1
            )
            for name in (FUNCTION, OTHER)
        ],
        recorder.runner_url,
        function_names.ExecutionNames(tmp_path / "names.json"),
    )
    served = lambda_host.serve(fresh, "127.0.0.1", 0)
    threading.Thread(target=served.serve_forever, daemon=True).start()
    try:
        listed = client_for(
            f"http://127.0.0.1:{served.server_port}"
        ).list_durable_executions_by_function(FunctionName=OTHER, DurableExecutionName="other-2")
    finally:
        served.shutdown()

    assert [e["DurableExecutionArn"] for e in listed["DurableExecutions"]] == [arn]


def test_a_host_refuses_two_functions_of_one_name() -> None:
    function = lambda_host.FunctionConfig(
        FUNCTION, lambda _event, _context: None, execution_timeout_seconds=600, retention_days=1
    )

    with pytest.raises(ValueError, match="its own name"):
        lambda_host.LambdaHost(
            [function, function], "http://127.0.0.1:9", function_names.ExecutionNames(Path("x"))
        )


def test_two_functions_run_side_by_side_while_one_function_runs_one_at_a_time(
    host: tuple[str, Recorder],
) -> None:
    # Given an invocation of FUNCTION that holds its container
    url, recorder = host
    lam = client_for(url)
    held = start(url, "held-1", hold=True)["DurableExecutionArn"]
    wait_for(recorder.holding.is_set)
    try:
        # When the other function and FUNCTION itself are started meanwhile
        lam.invoke(
            FunctionName=OTHER,
            InvocationType="Event",
            DurableExecutionName="beside-1",
            Payload=b'{"name": "beside-1"}',
        )
        start(url, "queued-1")

        # Then the other function runs now, in its own container, while FUNCTION's second
        # execution waits for the first invocation to end (one container, one at a time)
        assert wait_for(lambda: recorder.other.get("beside-1"), timeout=10)
        time.sleep(0.5)
        assert "queued-1" not in recorder.arns
    finally:
        recorder.release.set()
    assert wait_for(lambda: recorder.callbacks.get("queued-1"))
    done = wait_for(
        lambda: (
            (e := lam.get_durable_execution(DurableExecutionArn=held))["Status"] != "RUNNING" and e
        )
    )
    assert done["Status"] == "SUCCEEDED"
