"""The local Lambda endpoint: one address for the Lambda API, as AWS's is, for several functions.

Each hosted function is a `FunctionConfig` (name, handler, Lambda's DurableConfig values); every
request is routed by the function it names, as Lambda routes by `FunctionName`: its own handler,
its own executions, ARNs and execution names. Callbacks need no routing: a callback id names its
execution (on the runner as on Lambda), so one webhook resumes executions of any function.

- `Invoke` (`POST /2015-03-31/functions/{name}/invocations`) from the durable runner, with
  `X-Dex-Handler-Invoke: true`: the handler runs once and its JSON goes back (an
  `X-Amz-Function-Error` makes the runner retry). The event's runner ARN is swapped for Lambda's
  form, so the workflow records and checkpoints with the ARN every client sees.
- `Invoke` from everyone else (boto3, the AWS CLI): an execution starts on the runner, named by
  `X-Amz-Durable-Execution-Name` (or a generated name), and its ARN comes back in
  `X-Amz-Durable-Execution-Arn`. Names are unique per function, as on Lambda.
- The durable APIs (get, history, state, list, stop, checkpoint, callbacks): forwarded to the
  runner by `localdev.durable_api`, in Lambda's ARN form and error shapes.
- Anything else: the model's operations we do not run locally, and paths with no operation,
  get Lambda-shaped errors. Routes, errors and patterns come from botocore's model
  (`localdev.lambda_model`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlencode

from aws_durable_execution_sdk_python_testing.invoker import create_test_lambda_context

from localdev.durable_api import DurableApi, runner_call
from localdev.execution_arns import ACCOUNT_ID, ArnBook, ExecutionArn, execution_id
from localdev.function_names import ExecutionNames, function_arn, split_function
from localdev.http import JsonHandler
from localdev.lambda_model import SERVED, Reply, error, match, pattern, unknown_operation

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from http.server import BaseHTTPRequestHandler

logger = logging.getLogger("greenlight.lambda_host")
TERMINAL = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"})
LATEST = "$LATEST"
ALIAS = "live"  # iac/names.py's alias; the local stack publishes no versions, so it is $LATEST
# Lambda's limits on a durable execution's input: 1 MB asynchronous, 6 MB synchronous (Invoke's
# and GetDurableExecution's InputPayload documentation in botocore's model).
MAX_EVENT_PAYLOAD = 1024 * 1024
MAX_SYNC_PAYLOAD = 6 * 1024 * 1024
SYNC_LIMIT_SECONDS = 900


@dataclass(frozen=True, slots=True)
class FunctionConfig:
    """One durable function this host runs: its name, its handler (what Lambda's `Handler`
    names) and Lambda's DurableConfig values."""

    name: str
    handler: Callable[[Any, Any], Any]
    execution_timeout_seconds: int
    retention_days: int


class LambdaHost:
    """Routes Lambda API calls: invocations to the named function's handler or the runner, the
    rest to the runner."""

    def __init__(
        self, functions: Sequence[FunctionConfig], runner_url: str, names: ExecutionNames
    ) -> None:
        by_name = {f.name: f for f in functions}
        if not by_name or len(by_name) != len(functions):
            raise ValueError("a host runs one or more functions, each under its own name")
        self.functions = by_name
        self._runner = runner_url.rstrip("/")
        self._names = names
        # One container per function: one invocation of a function at a time, as with reserved
        # concurrency 1; two functions run side by side, as two Lambda functions do.
        self._containers = {name: threading.Lock() for name in by_name}
        self.arns = ArnBook(self._describe, self._find)
        self.durable = DurableApi(
            self._runner,
            self.arns,
            self.function_of,
            lambda arn: self._names.invoked(arn.function, arn.name),
        )

    def function_of(self, label: str) -> str | None:
        """The name of the hosted function `label` names (any form, any qualifier), else None."""
        split = split_function(label)
        return split[0] if split and split[0] in self.functions else None

    def _describe(self, runner_arn: str) -> tuple[str, str, str]:
        status, raw = runner_call(
            self._runner,
            "GET",
            f"/2025-12-01/durable-executions/{quote(runner_arn, safe='')}",
            "IncludeExecutionData=false",
        )
        if status != 200:
            raise KeyError(runner_arn)
        execution = json.loads(raw)
        # The runner's FunctionArn: arn:aws:lambda:REGION:ACCOUNT:function:NAME:VERSION
        function, version = str(execution["FunctionArn"]).split(":")[6:8]
        return function, version, str(execution["DurableExecutionName"])

    def _find(self, function: str, name: str, execution: str) -> str | None:
        if function not in self.functions:
            return None
        status, raw = runner_call(
            self._runner,
            "GET",
            f"/2025-12-01/functions/{quote(function, safe='')}/durable-executions",
            urlencode({"DurableExecutionName": name}),
        )
        if status != 200:
            return None
        for listed in json.loads(raw).get("DurableExecutions", []):
            runner_arn = str(listed["DurableExecutionArn"])
            if execution_id(runner_arn) == execution:
                return runner_arn
        return None

    def resolve(
        self, label: str, query: str
    ) -> tuple[tuple[FunctionConfig, str, str] | None, Reply | None]:
        """The function, version and invoked function ARN (qualified as the caller qualified
        it) of an Invoke, or the error Lambda gives for the function it names."""
        split = split_function(label)
        if split is None:
            return None, error("ResourceNotFoundException", f"Function not found: {label}")
        name, in_name = split
        in_query = parse_qs(query).get("Qualifier", [None])[0]
        if in_name and in_query and in_name != in_query:
            return None, error(
                "InvalidParameterValueException",
                "The derived qualifier from the function name does not match the specified "
                "qualifier.",
            )
        qualifier = in_name or in_query
        version = qualifier if qualifier and qualifier.isdigit() else LATEST
        function = self.functions.get(name)
        if function is None or qualifier not in (None, LATEST, ALIAS, version):
            full = function_arn(name) + (f":{qualifier}" if qualifier else "")
            return None, error("ResourceNotFoundException", f"Function not found: {full}")
        # The local stack runs one code for every published version (`scripts/retire-versions.sh`
        # counts executions per version): a numeric qualifier runs it and is kept in the ARN.
        invoked = function_arn(name) + (f":{qualifier}" if qualifier else "")
        return (function, version, invoked), None

    def run_handler(self, function: FunctionConfig, event: Any, version: str) -> Reply:
        """Run `function`'s durable handler once, like a Lambda container would, with Lambda's
        ARN."""
        headers = {"X-Amz-Executed-Version": version}
        try:
            event["DurableExecutionArn"] = str(self.arns.of(event["DurableExecutionArn"]))
        except (KeyError, TypeError, ValueError) as err:
            return error("InvalidRequestContentException", f"not a durable invocation: {err}")
        context = create_test_lambda_context(account_id=ACCOUNT_ID, function_name=function.name)
        with self._containers[function.name]:
            try:
                return Reply.json(200, function.handler(event, context), headers)
            except Exception as err:
                logger.exception("handler failed")
                failure = {"errorMessage": str(err), "errorType": type(err).__name__}
                return Reply.json(200, failure, headers | {"X-Amz-Function-Error": "Unhandled"})

    def invoke(  # Invoke's own parameters
        self,
        function: FunctionConfig,
        name: str | None,
        version: str,
        payload: bytes,
        kind: str,
        *,
        invoked: str = "",
    ) -> Reply:
        """Start (once per name and function) an execution of `function` on the runner; wait
        for it when synchronous."""
        refused = _refusal(name, payload, kind)
        if refused:
            return refused
        text = payload.decode("utf-8") if payload else "{}"
        if kind == "DryRun":
            return Reply.json(204, None, {"X-Amz-Executed-Version": version})
        name = name or str(uuid.uuid4())
        digest = hashlib.sha256(text.encode()).hexdigest()
        try:
            runner_arn, _ = self._names.claim(
                function.name,
                name,
                digest,
                lambda: self._start_on_runner(function, name, text, version),
                invoked,
            )
        except ValueError:
            return error(
                "DurableExecutionAlreadyStartedException",
                f"Durable execution {name} already exists with a different payload",
            )
        arn = self.arns.remember(ExecutionArn(function.name, version, name, runner_arn))
        headers = {"X-Amz-Durable-Execution-Arn": str(arn), "X-Amz-Executed-Version": version}
        if kind == "Event":
            return Reply.json(202, None, headers)
        return self._wait_for_result(runner_arn, headers)

    def _start_on_runner(self, function: FunctionConfig, name: str, text: str, version: str) -> str:
        body = {
            "AccountId": ACCOUNT_ID,
            "FunctionName": function.name,
            "FunctionQualifier": version,
            "ExecutionName": name,
            "ExecutionTimeoutSeconds": function.execution_timeout_seconds,
            "ExecutionRetentionPeriodDays": function.retention_days,
            "Input": text,
        }
        status, raw = runner_call(
            self._runner, "POST", "/start-durable-execution", "", json.dumps(body).encode()
        )
        if status >= 300:
            raise RuntimeError(f"the runner refused to start {name}: {status}")
        return str(json.loads(raw)["ExecutionArn"])

    def _wait_for_result(self, runner_arn: str, headers: dict[str, str]) -> Reply:
        """The execution's result as a synchronous Invoke returns it; a failure is a function
        error (`X-Amz-Function-Error: Unhandled` and `{errorType, errorMessage}`)."""
        deadline = time.monotonic() + SYNC_LIMIT_SECONDS
        path = f"/2025-12-01/durable-executions/{quote(runner_arn, safe='')}"
        while time.monotonic() < deadline:
            status, raw = runner_call(self._runner, "GET", path)
            execution = json.loads(raw) if status == 200 else {}
            if execution.get("Status") == "SUCCEEDED":
                result = execution.get("Result")
                return Reply(200, headers, (result or "null").encode())
            if execution.get("Status") in TERMINAL:
                failure = execution.get("Error") or {}
                body = {
                    "errorType": failure.get("ErrorType") or execution["Status"],
                    "errorMessage": failure.get("ErrorMessage") or execution["Status"],
                }
                return Reply.json(200, body, headers | {"X-Amz-Function-Error": "Unhandled"})
            time.sleep(0.1)
        return error("ServiceException", "the execution did not finish within 900 seconds")


def _refusal(name: str | None, payload: bytes, kind: str) -> Reply | None:
    """Why Lambda would refuse this Invoke before starting anything, or None."""
    limit = MAX_EVENT_PAYLOAD if kind == "Event" else MAX_SYNC_PAYLOAD
    if len(payload) > limit:
        return error("RequestTooLargeException", f"Request must be smaller than {limit} bytes")
    if name is not None and not pattern("DurableExecutionName").fullmatch(name):
        return error(
            "InvalidParameterValueException",
            "DurableExecutionName must be 1-64 letters, digits, - or _",
        )
    try:
        json.loads(payload.decode("utf-8") if payload else "{}")
    except ValueError:
        return error("InvalidRequestContentException", "Could not parse request body into json")
    return None


def route(host: LambdaHost, method: str, raw_path: str, headers: Any, body: bytes) -> Reply:
    """One request to the Lambda endpoint, answered."""
    path, _, query = raw_path.partition("?")
    found = match(method, path)
    if found is None:
        return unknown_operation(method, path)
    operation, labels = found
    if operation not in SERVED:
        return error(
            "InvalidParameterValueException", f"{operation} is not available on the local stack"
        )
    if operation != "Invoke":
        return host.durable.handle(operation, labels, query, body)
    return _invoke(host, labels["FunctionName"], query, headers, body)


def _invoke(host: LambdaHost, label: str, query: str, headers: Any, body: bytes) -> Reply:
    resolved, refused = host.resolve(label, query)
    if refused or resolved is None:
        return refused or error("ServiceException", "no version")
    function, version, invoked = resolved
    if headers.get("X-Dex-Handler-Invoke", "").lower() == "true":
        try:
            event = json.loads(body)
        except ValueError:
            return error("InvalidRequestContentException", "Could not parse request body into json")
        return host.run_handler(function, event, version)
    kind = headers.get("X-Amz-Invocation-Type") or "RequestResponse"
    if kind not in ("Event", "RequestResponse", "DryRun"):
        return error("InvalidParameterValueException", f"Unsupported invocation type {kind}")
    name = headers.get("X-Amz-Durable-Execution-Name")
    return host.invoke(function, name, version, body, kind, invoked=invoked)


def make_handler(host: LambdaHost) -> type[BaseHTTPRequestHandler]:
    """The HTTP handler class bound to one host."""

    class Handler(JsonHandler):
        def do_GET(self) -> None:  # stdlib name
            if self.path == "/health":
                self.send_json(200, {"ok": True})
            else:
                self._answer("GET")

        def do_POST(self) -> None:  # stdlib name
            self._answer("POST")

        def do_PUT(self) -> None:  # stdlib name
            self._answer("PUT")

        def do_DELETE(self) -> None:  # stdlib name
            self._answer("DELETE")

        def _answer(self, method: str) -> None:
            try:
                reply = route(host, method, self.path, self.headers, self.read_body())
            except Exception:
                logger.exception("host failed")
                reply = error("ServiceException", "the local Lambda host failed; see its log")
            self.send_bytes(reply.status, "application/json", reply.body, reply.headers)

    return Handler


def serve(host: LambdaHost, address: str, port: int) -> ThreadingHTTPServer:
    """Bind the host (not yet serving); call `serve_forever` on the result."""
    server = ThreadingHTTPServer((address, port), make_handler(host))
    server.daemon_threads = True
    return server
