"""Lambda's wire contract read from botocore's service model: routes, error shapes, name patterns.

The local Lambda host answers from this model rather than from our reading of it: an error's
HTTP status and the case of its message member (`Message` or `message`) come from the
exception's shape, a route from its operation's `requestUri`, and the ARN and name patterns from
the model's string shapes. Source: botocore `botocore/data/lambda/2015-03-31/service-2.json`
(the botocore pinned in constraints.txt), the same file the AWS CLI and boto3 parse replies with.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import botocore.session
from botocore.model import StructureShape

if TYPE_CHECKING:
    from botocore.model import ServiceModel

# The operations the host serves: Invoke itself, and the durable APIs it forwards to the runner.
DURABLE_OPERATIONS = (
    "GetDurableExecution",
    "GetDurableExecutionHistory",
    "GetDurableExecutionState",
    "ListDurableExecutionsByFunction",
    "StopDurableExecution",
    "CheckpointDurableExecution",
    "SendDurableExecutionCallbackSuccess",
    "SendDurableExecutionCallbackFailure",
    "SendDurableExecutionCallbackHeartbeat",
)
SERVED = ("Invoke", *DURABLE_OPERATIONS)
SERVER_ERROR = 500


@dataclass(frozen=True, slots=True)
class Reply:
    """One HTTP answer: status, headers, raw body."""

    status: int
    headers: dict[str, str]
    body: bytes

    @classmethod
    def json(cls, status: int, data: Any, headers: dict[str, str] | None = None) -> Reply:
        """A JSON answer (`None` sends an empty body), with a request id as Lambda sends one."""
        body = b"" if data is None else json.dumps(data).encode()
        return cls(status, {"x-amzn-RequestId": str(uuid.uuid4())} | (headers or {}), body)


@functools.cache
def service_model() -> ServiceModel:
    """botocore's Lambda model, loaded once."""
    return botocore.session.get_session().get_service_model("lambda")


def pattern(shape: str) -> re.Pattern[str]:
    """A string shape's pattern from the model, anchored (the model's are whole-value patterns)."""
    return re.compile(f"(?:{service_model().shape_for(shape).metadata['pattern']})")


def error(code: str, message: str) -> Reply:
    """An error as Lambda sends it: `x-amzn-ErrorType` and `{"Type", message member}`.

    Status and the message member's name come from the exception's shape in the model; botocore's
    rest-json parser reads the code from the header and the message from either case.
    """
    shape = service_model().shape_for(code)
    if not isinstance(shape, StructureShape):
        raise TypeError(f"{code} is not an exception shape in the model")
    status = int(shape.metadata["error"]["httpStatusCode"])
    key = "Message" if "Message" in shape.members else "message"
    kind = "Service" if status >= SERVER_ERROR else "User"
    return Reply.json(status, {"Type": kind, key: message}, {"x-amzn-ErrorType": code})


def unknown_operation(method: str, path: str) -> Reply:
    """A path no Lambda operation has. The model cannot name this error (it lists operations'
    errors only); the name is the one AWS's Smithy server frameworks give it
    (smithy-lang/smithy-java `server/src/main/java/software/amazon/smithy/java/server/exceptions/
    UnknownOperationException.java`). The 404 is our choice: no source states Lambda's status."""
    return Reply.json(
        404,
        {"Type": "User", "Message": f"no Lambda operation at {method} {path}"},
        {"x-amzn-ErrorType": "UnknownOperationException"},
    )


def errors_of(operation: str) -> frozenset[str]:
    """The exception names the model lists for one operation."""
    model = service_model().operation_model(operation)
    return frozenset(shape.name for shape in model.error_shapes)


@dataclass(frozen=True, slots=True)
class Route:
    """One operation's method and path template, as a regular expression over the raw path."""

    operation: str
    method: str
    path: re.Pattern[str]


def _compile(uri: str) -> re.Pattern[str]:
    path = uri.partition("?")[0]
    parts = re.split(r"(\{[^}]+\})", path)
    regex = ""
    for part in parts:
        if part.startswith("{"):
            name = part.strip("{}")
            regex += f"(?P<{name.rstrip('+')}>.+)" if name.endswith("+") else f"(?P<{name}>[^/]+)"
        else:
            regex += re.escape(part)
    return re.compile(regex)


@functools.cache
def routes() -> tuple[Route, ...]:
    """Every operation of the model, as routes (served or not: the host tells them apart)."""
    model = service_model()
    found = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        found.append(Route(name, http["method"], _compile(http["requestUri"])))
    return tuple(found)


def match(method: str, raw_path: str) -> tuple[str, dict[str, str]] | None:
    """The operation at `method raw_path`, with its URI labels decoded; None if there is none.

    Labels are matched on the raw path and decoded after, so an encoded `/` inside an ARN stays
    inside its label (botocore percent-encodes every label but greedy ones).
    """
    for route in routes():
        found = route.path.fullmatch(raw_path)
        if found and route.method == method:
            return route.operation, {k: unquote(v) for k, v in found.groupdict().items()}
    return None
