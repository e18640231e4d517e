"""Lambda's durable execution APIs on the host, forwarded to the local runner and translated back.

Clients see Lambda's execution ARNs and Lambda's error shapes (botocore's model); the runner sees
its own ARNs. The runner answers errors with its exception name in a `Type` body member and no
`x-amzn-ErrorType`, which botocore cannot read as a code; it answers every failed callback with
404, where Lambda says `CallbackTimeoutException` for a callback that is closed. Both are
translated here, to the errors the model lists for each operation.
"""

from __future__ import annotations

import base64
import binascii
import json
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from localdev.execution_arns import ArnBook, ExecutionArn, ExecutionArnError
from localdev.lambda_model import Reply, error, errors_of

if TYPE_CHECKING:
    from collections.abc import Callable

RUNNER_TIMEOUT_SECONDS = 60
NOT_FOUND = 404
CALLBACK_OPERATIONS = frozenset(
    {
        "SendDurableExecutionCallbackSuccess",
        "SendDurableExecutionCallbackFailure",
        "SendDurableExecutionCallbackHeartbeat",
    }
)
# Which model error a runner status becomes when the runner's own name is not one the model
# lists for the operation (e.g. its 409 ExecutionConflictException for a closed callback).
_BY_STATUS = {
    400: "InvalidParameterValueException",
    404: "ResourceNotFoundException",
    408: "CallbackTimeoutException",
    409: "CallbackTimeoutException",
    429: "TooManyRequestsException",
}


def runner_call(
    base: str, method: str, path: str, query: str = "", body: bytes | None = None
) -> tuple[int, bytes]:
    """One call to the runner: (status, body), errors included."""
    url = f"{base}{path}" + (f"?{query}" if query else "")
    request = urllib.request.Request(  # loopback runner URL from configuration
        url, data=body, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=RUNNER_TIMEOUT_SECONDS) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def _path(arn: str, suffix: str = "") -> str:
    return f"/2025-12-01/durable-executions/{quote(arn, safe='')}{suffix}"


_SUFFIX = {
    "GetDurableExecution": "",
    "GetDurableExecutionHistory": "/history",
    "GetDurableExecutionState": "/state",
    "StopDurableExecution": "/stop",
    "CheckpointDurableExecution": "/checkpoint",
}
_CALLBACK_SUFFIX = {
    "SendDurableExecutionCallbackSuccess": "succeed",
    "SendDurableExecutionCallbackFailure": "fail",
    "SendDurableExecutionCallbackHeartbeat": "heartbeat",
}


def _with_retry_details(event: dict[str, Any]) -> dict[str, Any]:
    """The runner leaves out `RetryDetails`, which the model requires in step succeeded and
    failed details; all its members are optional, so `{}` completes the shape and claims
    nothing."""
    for key in ("StepSucceededDetails", "StepFailedDetails"):
        if key in event:
            event[key].setdefault("RetryDetails", {})
    return event


class DurableApi:
    """The durable APIs of one function, served from the runner at `runner_url`."""

    def __init__(
        self,
        runner_url: str,
        book: ArnBook,
        function_of: Callable[[str], str | None],
        invoked_of: Callable[[ExecutionArn], str | None] = lambda _arn: None,
    ) -> None:
        self._runner = runner_url.rstrip("/")
        self._book = book
        self._function_of = function_of  # a FunctionName label → our function's name, or None
        # An execution → the function ARN it was invoked with (None: unknown, keep the runner's)
        self._invoked_of = invoked_of

    def _answer_function_arn(self, data: dict[str, Any], arn: ExecutionArn) -> None:
        """`FunctionArn` as Lambda answers it: "the ARN of the Lambda function that was invoked
        to start this durable execution" (botocore's model, GetDurableExecutionResponse), so
        alias-qualified (`:live`) or unqualified as the start was; the runner always writes the
        executed version there. The version stays in `DurableExecutionArn`."""
        invoked = self._invoked_of(arn)
        if invoked:
            data["FunctionArn"] = invoked

    def handle(self, operation: str, labels: dict[str, str], query: str, body: bytes) -> Reply:
        """Serve one durable API request."""
        if operation == "ListDurableExecutionsByFunction":
            return self._list(labels["FunctionName"], query)
        if operation in CALLBACK_OPERATIONS:
            return self._callback(operation, labels["CallbackId"], body)
        given = labels["DurableExecutionArn"]
        try:
            arn = self._book.resolve(given)
        except ExecutionArnError as err:
            return error("InvalidParameterValueException", str(err))
        except KeyError:
            return self._not_found(operation, f"Durable execution not found: {given}")
        method = "GET" if operation.startswith("Get") else "POST"
        status, raw = runner_call(
            self._runner, method, _path(arn.runner_arn, _SUFFIX[operation]), query, body or None
        )
        if status >= 300:
            return self._translate(operation, status, raw)
        data = json.loads(raw or b"{}")
        if operation == "GetDurableExecution":
            data["DurableExecutionArn"] = str(arn)
            self._answer_function_arn(data, arn)
        if operation == "GetDurableExecutionHistory":
            data["Events"] = [_with_retry_details(event) for event in data.get("Events", [])]
        return Reply.json(200, data)

    def _list(self, function_label: str, query: str) -> Reply:
        name = self._function_of(function_label)
        if name is None:
            return error("ResourceNotFoundException", f"Function not found: {function_label}")
        path = f"/2025-12-01/functions/{quote(name, safe='')}/durable-executions"
        status, raw = runner_call(self._runner, "GET", path, query)
        if status >= 300:
            return self._translate("ListDurableExecutionsByFunction", status, raw)
        data = json.loads(raw)
        for execution in data.get("DurableExecutions", []):
            arn = self._book.of(execution["DurableExecutionArn"])
            execution["DurableExecutionArn"] = str(arn)
            self._answer_function_arn(execution, arn)
        return Reply.json(200, data)

    def _callback(self, operation: str, callback_id: str, body: bytes) -> Reply:
        path = f"/2025-12-01/durable-execution-callbacks/{quote(callback_id, safe='')}"
        status, raw = runner_call(
            self._runner, "POST", f"{path}/{_CALLBACK_SUFFIX[operation]}", "", body or None
        )
        if status < 300:
            return Reply.json(200, {})
        if status == NOT_FOUND and self._callback_was_started(callback_id):
            return error("CallbackTimeoutException", "the callback is closed")
        return self._translate(operation, status, raw)

    def _callback_was_started(self, callback_id: str) -> bool:
        """True when the runner's history shows this callback started (so it is closed now).

        The host stands where Lambda's service stands, beside the runner, so it may read the
        runner's callback token (base64 JSON naming the execution and the operation).
        """
        try:
            token = json.loads(base64.b64decode(callback_id, validate=True))
            runner_arn, operation_id = str(token["arn"]), str(token["op"])
        except (ValueError, binascii.Error, KeyError, TypeError):
            return False
        marker = ""
        while True:
            query = "MaxItems=1000" + (f"&Marker={quote(marker, safe='')}" if marker else "")
            status, raw = runner_call(self._runner, "GET", _path(runner_arn, "/history"), query)
            if status != 200:
                return False
            page = json.loads(raw)
            if any(
                event.get("EventType") == "CallbackStarted" and event.get("Id") == operation_id
                for event in page.get("Events", [])
            ):
                return True
            marker = page.get("NextMarker") or ""
            if not marker:
                return False

    @staticmethod
    def _not_found(operation: str, message: str) -> Reply:
        listed = errors_of(operation)
        kind = (
            "ResourceNotFoundException"
            if "ResourceNotFoundException" in listed
            else "InvalidParameterValueException"
        )
        return error(kind, message)

    @staticmethod
    def _translate(operation: str, status: int, raw: bytes) -> Reply:
        """A runner error as the model error the operation lists."""
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        message = str(body.get("message") or body.get("Message") or f"runner answered {status}")
        listed = errors_of(operation)
        kind = str(body.get("Type") or "")
        if kind not in listed:
            kind = _BY_STATUS.get(status, "ServiceException")
        if kind == "CallbackTimeoutException" and operation not in CALLBACK_OPERATIONS:
            kind = "InvalidParameterValueException"
        if kind not in listed:
            return DurableApi._not_found(operation, message)
        return error(kind, message)
