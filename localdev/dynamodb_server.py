"""moto in server mode, with each request applied atomically, as DynamoDB applies them.

moto's own server runs requests on parallel threads, and its conditional writes and
transactions check then write without a lock: two racing writers can both pass a condition
that DynamoDB would let only one pass. Our race tests need the real guarantee, so this server
applies one request at a time (connections are still served concurrently).

moto also deep-copies every table a transaction touches, so that it can roll back: a
`TransactWriteItems` costs O(table size), and a table of a few thousand approvals turns each vote
into tens of milliseconds that no DynamoDB would charge. Under the one-request lock, a
transaction can only ever have changed the items it names, so `rollback_by_item` keeps those
items and restores them instead.
Real DynamoDB also cancels a transaction that meets another one on the same item
(`TransactionConflict`) or that is throttled (`ThrottlingError`); one request at a time never
does. `POST /_faults {"transaction_conflicts": N, "throttles": M}` makes the next N (then M)
writes fail so, so tests can prove that such refusals lose nothing: a transaction is cancelled
(moto's own `TransactionCanceledException`), a single `UpdateItem` (a vote) is refused with
`TransactionConflictException` or `ThrottlingException`, the errors botocore's DynamoDB model
lists for UpdateItem ("Operation was rejected because there is an ongoing transaction for the
item"; "The request was denied due to request throttling").
`python -m localdev.dynamodb_server --host 127.0.0.1 --port 5055`.
"""

from __future__ import annotations

import argparse
import copy
import functools
import json
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any, ClassVar

from moto.dynamodb import models
from moto.dynamodb.exceptions import DynamodbException, TransactionCanceledException
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from werkzeug.serving import BaseWSGIServer


class QuietHandler(MotoRequestHandler):
    """moto's request handler without a log line per request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Quiet: one line per DynamoDB call would drown the stack's logs."""


class Faults:
    """Cancellations real DynamoDB makes and a one-request-at-a-time server never would."""

    # (code, message) as botocore's DynamoDB model documents TransactionCanceledException
    CODES: ClassVar[dict[str, tuple[str, str]]] = {
        "transaction_conflicts": ("TransactionConflict", "Transaction is ongoing for the item."),
        "throttles": (
            "ThrottlingError",
            "Throughput exceeds the current capacity of your table or index. DynamoDB is "
            "automatically scaling your table or index so please try again shortly.",
        ),
    }

    def __init__(self) -> None:
        self.pending = dict.fromkeys(self.CODES, 0)

    def add(self, request: dict[str, Any]) -> None:
        """Queue the faults a `POST /_faults` asks for.

        Raises:
            ValueError: unknown fault, or not a whole number from 0 to 1000.
        """
        for name, count in request.items():
            if name not in self.CODES or not isinstance(count, int) or not 0 <= count <= 1000:
                raise ValueError(f"{name}: expected one of {sorted(self.CODES)} with 0..1000")
            self.pending[name] += count

    def take(self, transact_items: list[dict[str, Any]]) -> None:
        """Cancel this transaction if a fault is queued: its first item conflicts, as AWS
        reports it (one reason per item, "None" for the others).

        Raises:
            TransactionCanceledException: a queued fault.
        """
        for name, (code, message) in self.CODES.items():
            if self.pending[name] > 0:
                self.pending[name] -= 1
                reasons = [(code, message, None)] + [(None, None, None)] * (len(transact_items) - 1)
                raise TransactionCanceledException(reasons)

    # (code, message) of a single-item write refused for the same causes (botocore's model)
    SINGLE: ClassVar[dict[str, tuple[str, str]]] = {
        "transaction_conflicts": (
            "TransactionConflictException",
            "Operation was rejected because there is an ongoing transaction for the item.",
        ),
        "throttles": ("ThrottlingException", "The request was denied due to request throttling."),
    }

    def take_single(self) -> None:
        """Refuse this single-item write if a fault is queued.

        Raises:
            RefusedWrite: a queued fault.
        """
        for name, (code, message) in self.SINGLE.items():
            if self.pending[name] > 0:
                self.pending[name] -= 1
                raise RefusedWrite(code, message)


class RefusedWrite(DynamodbException):
    """A single-item write refused as DynamoDB refuses it (a 400 with the modeled code)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"com.amazonaws.dynamodb.v20120810#{code}", message)


FAULTS = Faults()


class AtomicApp:
    """A WSGI app that runs one request at a time, fully, before the next; `POST /_faults`
    queues transaction cancellations."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ.get("PATH_INFO") == "/_faults" and environ.get("REQUEST_METHOD") == "POST":
            return self._faults(environ, start_response)
        with self._lock:
            return list(self._app(environ, start_response))

    def _faults(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body: dict[str, Any]
        try:
            request = json.loads(environ["wsgi.input"].read(length) or b"{}")
            if not isinstance(request, dict):
                raise ValueError("a JSON object of fault counts")
            with self._lock:
                FAULTS.add(request)
                status, body = "200 OK", {"pending": dict(FAULTS.pending)}
        except ValueError as err:
            status, body = "400 Bad Request", {"error": str(err)}
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]


class _TablesByReference:
    """Stands in for the `copy` module inside moto's DynamoDB models during a transaction.

    moto's rollback copy of a whole table becomes the table itself (so moto's own rollback is a
    no-op); every other copy moto makes (single items, for update return values) stays deep.
    """

    @staticmethod
    def deepcopy(value: Any) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value)


Snapshot = list[tuple[str, dict[str, Any], dict[str, Any] | None]]


def _snapshot(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> Snapshot:
    """Each item the transaction names: its table, its key and its attributes now (None: absent)."""
    kept: Snapshot = []
    for entry in transact_items:
        for op in entry.values():
            try:
                table = backend.get_table(op["TableName"])
                attrs = op.get("Item") or op["Key"]
                key = {name: attrs[name] for name in table.table_key_attrs if name}
                item = backend.get_item(op["TableName"], key)
            except Exception:  # noqa: BLE001, S112  # moto itself will refuse this op, before writing
                continue
            kept.append((op["TableName"], key, item.to_json()["Attributes"] if item else None))
    return kept


def _restore(backend: DynamoDBBackend, kept: Snapshot) -> None:
    for table_name, key, attributes in reversed(kept):
        if attributes is not None:
            backend.put_item(table_name, copy.deepcopy(attributes))
        elif backend.get_item(table_name, key) is not None:
            backend.delete_item(table_name, key)


def rollback_by_item() -> None:
    """Make moto's `TransactWriteItems` roll back the items it touched, not whole-table copies.

    Only correct while one request runs at a time (`AtomicApp`); idempotent.
    """
    original = DynamoDBBackend.transact_write_items
    if getattr(original, "rolls_back_by_item", False):
        return

    @functools.wraps(original)
    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        FAULTS.take(transact_items)
        kept = _snapshot(self, transact_items)
        models.copy = _TablesByReference  # type: ignore[attr-defined,assignment]
        try:
            original(self, transact_items)
        except Exception:
            _restore(self, kept)
            raise
        finally:
            models.copy = copy  # type: ignore[attr-defined]

    transact_write_items.rolls_back_by_item = True  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]

    single = DynamoDBBackend.update_item

    @functools.wraps(single)
    def update_item(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        FAULTS.take_single()
        return single(self, *args, **kwargs)

    DynamoDBBackend.update_item = update_item  # type: ignore[method-assign]


class DynamoDBServer:
    """moto's backends behind `AtomicApp`, on a background thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        rollback_by_item()
        app = AtomicApp(DomainDispatcherApplication(create_backend_app))
        self._server: BaseWSGIServer = make_server(
            host, port, app, threaded=True, request_handler=QuietHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """`http://host:port` of the running server."""
        host, port = self._server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://{name}:{port}"

    def start(self) -> DynamoDBServer:
        """Serve in the background."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self._server.shutdown()
        self._thread.join(timeout=5)


def main(argv: list[str] | None = None) -> int:
    """Serve in the foreground until SIGTERM."""
    parser = argparse.ArgumentParser(description="moto, one request at a time")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    server = DynamoDBServer(args.host, args.port).start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
