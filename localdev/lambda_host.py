"""Lambda's Invoke API on loopback, for one durable function, as the local runner expects it.

Two kinds of caller reach `POST /2015-03-31/functions/{name}/invocations`:
- the durable runner, with `X-Dex-Handler-Invoke: true` and a durable invocation input: the
  handler runs once and its JSON goes back (an `X-Amz-Function-Error` makes the runner retry);
- everyone else (boto3, the AWS CLI), with `X-Amz-Durable-Execution-Name`: an execution starts
  on the runner and its ARN comes back in `X-Amz-Durable-Execution-Arn`, as Lambda does. Names
  are unique per function, as on Lambda (the runner does not enforce that itself).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from aws_durable_execution_sdk_python_testing.invoker import create_test_lambda_context

from localdev.http import JsonHandler

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

logger = logging.getLogger("greenlight.lambda_host")
ACCOUNT_ID = "123456789012"
_PATH = re.compile(r"^/2015-03-31/functions/([^/]+)/invocations$")
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
TERMINAL = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"})


@dataclass(frozen=True, slots=True)
class FunctionConfig:
    """The one durable function this host runs, with Lambda's DurableConfig values."""

    name: str
    execution_timeout_seconds: int
    retention_days: int


class ExecutionNames:
    """Execution names already used, kept on disk so a restarted host still refuses repeats."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._names: dict[str, dict[str, str]] = (
            json.loads(path.read_text()) if path.exists() else {}
        )

    def claim(self, name: str, digest: str, start: Callable[[], str]) -> tuple[str, bool]:
        """The execution for `name`: started now, or the one started before with the same input.

        Raises:
            ValueError: the name was used before with a different input.
        """
        with self._lock:
            known = self._names.get(name)
            if known:
                if known["input"] != digest:
                    raise ValueError(name)
                return known["arn"], False
            arn = start()
            self._names[name] = {"arn": arn, "input": digest}
            self._path.write_text(json.dumps(self._names))
            return arn, True


class LambdaHost:
    """Routes invocations to the durable handler or to the runner."""

    def __init__(
        self,
        function: FunctionConfig,
        handler: Callable[[Any, Any], Any],
        runner_url: str,
        names: ExecutionNames,
    ) -> None:
        self.function = function
        self._handler = handler
        self._runner = runner_url.rstrip("/")
        self._names = names
        self._one_at_a_time = threading.Lock()  # one container: one invocation at a time

    def run_handler(self, event: Any) -> tuple[int, dict[str, str], Any]:
        """Run the durable handler once, like a Lambda container would."""
        context = create_test_lambda_context(
            account_id=ACCOUNT_ID, function_name=self.function.name
        )
        with self._one_at_a_time:
            try:
                return 200, {}, self._handler(event, context)
            except Exception as err:
                logger.exception("handler failed")
                error = {"errorMessage": str(err), "errorType": type(err).__name__}
                return 200, {"X-Amz-Function-Error": "Unhandled"}, error

    def start(
        self, name: str, qualifier: str, payload: bytes, wait: bool
    ) -> tuple[int, dict[str, str], Any]:
        """Start (once per name) an execution on the runner."""
        if not _NAME.match(name):
            return _error(400, "InvalidParameterValueException", "invalid DurableExecutionName")
        try:
            text = payload.decode("utf-8") if payload else "{}"
            json.loads(text)
        except ValueError:
            return _error(400, "InvalidRequestContentException", "payload is not JSON")
        digest = hashlib.sha256(text.encode()).hexdigest()
        try:
            arn, _ = self._names.claim(
                name, digest, lambda: self._start_on_runner(name, qualifier, text)
            )
        except ValueError:
            return _error(
                409, "ResourceConflictException", f"execution {name} exists with another input"
            )
        headers = {"X-Amz-Durable-Execution-Arn": arn, "X-Amz-Executed-Version": "$LATEST"}
        if not wait:
            return 202, headers, None
        return 200, headers, self._wait_for_result(arn)

    def _start_on_runner(self, name: str, qualifier: str, text: str) -> str:
        body = {
            "AccountId": ACCOUNT_ID,
            "FunctionName": self.function.name,
            "FunctionQualifier": qualifier,
            "ExecutionName": name,
            "ExecutionTimeoutSeconds": self.function.execution_timeout_seconds,
            "ExecutionRetentionPeriodDays": self.function.retention_days,
            "Input": text,
        }
        answer = _http("POST", f"{self._runner}/start-durable-execution", body)
        return str(answer["ExecutionArn"])

    def _wait_for_result(self, arn: str) -> Any:
        deadline = time.monotonic() + 900  # Lambda's synchronous limit
        path = f"{self._runner}/2025-12-01/durable-executions/{quote(arn, safe='')}"
        while time.monotonic() < deadline:
            execution = _http("GET", path, None)
            if execution.get("Status") in TERMINAL:
                result = execution.get("Result")
                return json.loads(result) if result else execution.get("Error")
            time.sleep(0.1)
        return None


def _http(method: str, url: str, body: Any) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )  # runner URL from configuration
    with urllib.request.urlopen(request, timeout=30) as response:
        answer: dict[str, Any] = json.loads(response.read() or b"{}")
        return answer


def _error(status: int, kind: str, message: str) -> tuple[int, dict[str, str], Any]:
    return status, {"x-amzn-ErrorType": kind}, {"Type": "User", "message": message}


def make_handler(host: LambdaHost) -> type[BaseHTTPRequestHandler]:
    """The HTTP handler class bound to one host."""

    class Handler(JsonHandler):
        def do_GET(self) -> None:  # stdlib name
            if self.path == "/health":
                self._send(200, {}, {"ok": True})
            else:
                self._send(*_error(404, "ResourceNotFoundException", "no such route"))

        def do_POST(self) -> None:  # stdlib name
            raw = self.read_body()
            path, _, query = self.path.partition("?")
            match = _PATH.match(path)
            name, _, qualifier = unquote(match.group(1)).partition(":") if match else ("", "", "")
            qualifier = qualifier or _qualifier(query) or "$LATEST"
            if name not in (
                host.function.name,
                f"arn:aws:lambda:us-east-1:{ACCOUNT_ID}:function:{host.function.name}",
            ):
                self._send(*_error(404, "ResourceNotFoundException", f"function not found: {name}"))
            elif self.headers.get("X-Dex-Handler-Invoke", "").lower() == "true":
                self._send(*host.run_handler(json.loads(raw)))
            elif not self.headers.get("X-Amz-Durable-Execution-Name"):
                self._send(
                    *_error(
                        400,
                        "InvalidParameterValueException",
                        "DurableExecutionName is required for a durable function",
                    )
                )
            else:
                wait = (
                    self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
                    == "RequestResponse"
                )
                self._send(
                    *host.start(self.headers["X-Amz-Durable-Execution-Name"], qualifier, raw, wait)
                )

        def _send(self, status: int, headers: dict[str, str], body: Any) -> None:
            self.send_json(status, body, headers)

    return Handler


def _qualifier(query: str) -> str:
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if key == "Qualifier":
            return unquote(value)
    return ""


def serve(host: LambdaHost, address: str, port: int) -> ThreadingHTTPServer:
    """Bind the host (not yet serving); call `serve_forever` on the result."""
    server = ThreadingHTTPServer((address, port), make_handler(host))
    server.daemon_threads = True
    return server
