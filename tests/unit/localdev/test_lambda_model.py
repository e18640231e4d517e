"""The host's router and error replies against botocore's own serializer and parser.

Requests are built by botocore's rest-json serializer from the Lambda model (as boto3 and the
AWS CLI send them); replies are read back by botocore's rest-json parser (as they read them).
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from urllib3 import HTTPHeaderDict

from localdev.lambda_model import DURABLE_OPERATIONS, error, errors_of, match, service_model

ARN = (
    "arn:aws:lambda:us-east-1:123456789012:function:greenlight-orders:$LATEST"
    "/durable-execution/order-1/0b3c7f2e-1111-4a5b-8c9d-0123456789ab"
)
PARAMS: dict[str, dict[str, Any]] = {
    "Invoke": {"FunctionName": "greenlight-orders:live", "Payload": b"{}"},
    "GetDurableExecution": {"DurableExecutionArn": ARN},
    "GetDurableExecutionHistory": {"DurableExecutionArn": ARN, "MaxItems": 5},
    "GetDurableExecutionState": {"DurableExecutionArn": ARN, "CheckpointToken": "t"},
    "ListDurableExecutionsByFunction": {"FunctionName": "greenlight-orders"},
    "StopDurableExecution": {"DurableExecutionArn": ARN},
    "CheckpointDurableExecution": {"DurableExecutionArn": ARN, "CheckpointToken": "t"},
    "SendDurableExecutionCallbackSuccess": {"CallbackId": "abc/def+==", "Result": b"1"},
    "SendDurableExecutionCallbackFailure": {"CallbackId": "abc/def+=="},
    "SendDurableExecutionCallbackHeartbeat": {"CallbackId": "abc/def+=="},
}


def serialized(operation: str) -> dict[str, Any]:
    model = service_model().operation_model(operation)
    request: dict[str, Any] = create_serializer("rest-json").serialize_to_request(
        PARAMS[operation], model
    )
    return request


@pytest.mark.parametrize("operation", ["Invoke", *DURABLE_OPERATIONS])
def test_every_served_operation_is_routed_as_botocore_sends_it(operation: str) -> None:
    # Given the request botocore builds for the operation
    request = serialized(operation)

    # When the host routes its method and raw path
    found = match(request["method"], request["url_path"])

    # Then it is that operation, with the labels decoded back to what the caller passed
    assert found is not None
    name, labels = found
    assert name == operation
    for label, value in labels.items():
        assert PARAMS[operation][label] == value


def test_a_path_no_operation_has_is_not_routed() -> None:
    assert match("GET", "/2015-03-31/no-such-thing") is None
    assert match("DELETE", "/2025-12-01/durable-executions/x/history") is None


@pytest.mark.parametrize(
    "code",
    sorted(set().union(*(errors_of(op) for op in ("Invoke", *DURABLE_OPERATIONS)))),
)
def test_every_listed_error_reads_back_as_itself(code: str) -> None:
    # Given the reply the host sends for a modeled error
    reply = error(code, "what went wrong")

    # When botocore's rest-json parser reads it
    # (headers as botocore gets them from urllib3: case-insensitive)
    parsed = create_parser("rest-json").parse(
        {"status_code": reply.status, "headers": HTTPHeaderDict(reply.headers), "body": reply.body},
        service_model().shape_for("InvocationResponse"),
    )

    # Then the code, message and status are the model's
    shape = service_model().shape_for(code)
    assert parsed["Error"]["Code"] == code
    assert parsed["Error"]["Message"] == "what went wrong"
    assert reply.status == shape.metadata["error"]["httpStatusCode"]
    assert parsed["ResponseMetadata"]["RequestId"]


def test_a_closed_callback_is_a_400_and_a_missing_resource_a_404() -> None:
    # The model's statuses, not the local runner's (it answers 408 and 404)
    assert error("CallbackTimeoutException", "x").status == 400
    assert error("ResourceNotFoundException", "x").status == 404
