"""The CallbackSender port over Lambda's SendDurableExecutionCallback{Success,Failure}."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from greenlight.core.errors import CallbackRefusedError, DeliveryError

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

# Lambda answers CallbackTimeoutException for a closed callback (timed out, or answered before);
# the local Lambda host says the same (botocore's Lambda model lists both codes below).
_CLOSED_CODES = frozenset({"CallbackTimeoutException", "ResourceNotFoundException"})
# What may succeed if sent again: throttling and Lambda's own failures (the model's
# TooManyRequestsException, ServiceException) and any 5xx; every other refusal is for good.
_TRANSIENT_CODES = frozenset({"TooManyRequestsException", "ServiceException", "Throttling"})
SERVER_ERROR = 500


class LambdaCallbackSender:
    """Resumes a durable execution. The callback id is passed through, never logged."""

    def __init__(self, client: LambdaClient) -> None:
        self._client = client

    def succeed(self, callback_id: str, result: bytes) -> bool:
        """Send success; False when the callback was already closed (by a timeout, or because
        it was delivered before: Lambda answers both with CallbackTimeoutException).

        Raises:
            DeliveryError: Lambda's API failed or did not answer in time (worth sending again).
            CallbackRefusedError: Lambda refused it for good.
        """
        return self._send(
            self._client.send_durable_execution_callback_success,
            CallbackId=callback_id,
            Result=result,
        )

    @staticmethod
    def _send(call: Any, **params: Any) -> bool:
        """Send; the errors raised say what failed by code or type only, and drop botocore's
        error (`from None`): its text names the request's URL, whose path is the callback id,
        and a traceback logged by Lambda or the relay's batch would print it."""
        try:
            call(**params)
        except ClientError as err:
            code = str(err.response.get("Error", {}).get("Code", ""))
            status = int(err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
            if code in _CLOSED_CODES:
                return False
            if code in _TRANSIENT_CODES or status >= SERVER_ERROR:
                raise DeliveryError(code or str(status)) from None
            raise CallbackRefusedError(code or str(status)) from None
        except BotoCoreError as err:  # timeouts, refused connections: the type says which
            raise DeliveryError(type(err).__name__) from None
        return True
