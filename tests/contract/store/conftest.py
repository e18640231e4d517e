"""One contract, two stores: every test here runs against the in-memory store shipped in
`greenlight.testing` and against the DynamoDB store on the local DynamoDB (moto in server mode,
one request at a time, as `localdev/dynamodb_server.py` serves it to the integration tests).

Production's audit trail is finished asynchronously: a vote's lines are written by the decision
relay from the approvals table's stream. For the DynamoDB store, `Subject.trail` therefore runs
the real relay (`greenlight.webhook.relay`, with Lambda's callback API and Slack as recorders)
over the table's stream the way Lambda's event source mapping does (`localdev.stream_relay`),
then hands the whole stream to it a second time (a redelivery), before it reads the trail: the
suite checks the trail production ends with, and that a redelivered change writes nothing twice.
Each DynamoDB test gets its own tables, so both stores start empty.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import boto3
import pytest

from greenlight.aws.approval_store import DynamoApprovalStore, DynamoAuditLog
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord, SlackMessage
from greenlight.core.request import Amount, ApprovalRequest
from greenlight.testing import InMemoryApprovalStore, InMemorySlack
from greenlight.webhook.relay import DecisionRelay, make_stream_handler
from localdev.dynamodb_server import DynamoDBServer
from localdev.provision import TABLES
from localdev.stream_relay import StreamPoller

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from greenlight.core.audit import AuditEvent
    from greenlight.core.conditional_write import ConditionalUpdate
    from greenlight.core.vote_write import WriteAnswer
    from greenlight.gate.ports import ApprovalStore
    from greenlight.webhook.ports import VoteStore

    class ContractStore(ApprovalStore, VoteStore, Protocol):
        """Both ports (the gate's and the webhook's), plus what ops and tests read."""

        def replace(
            self, before: ApprovalRecord, after: ApprovalRecord, events: list[AuditEvent]
        ) -> bool: ...

        def audit_trail(self, approval_id: str) -> list[AuditEvent]: ...

        def write_if(self, approval_id: str, update: ConditionalUpdate) -> WriteAnswer: ...

        def recently_created_final(self, limit: int) -> list[ApprovalRecord]: ...


AT = "2026-11-22T12:00:00+00:00"
APPROVERS = frozenset({"U0BOB", "U0CAROL", "U0DAVE"})
MESSAGE = SlackMessage("C0APPROVALS", "1700000000.000001")
_tables = itertools.count(1)


class Subject(Protocol):
    """A store under contract, and what production does after it writes."""

    @property
    def name(self) -> str: ...
    @property
    def store(self) -> ContractStore: ...

    def connect(self) -> ContractStore:
        """Another handle on the same store, for another thread (another webhook container)."""
        ...

    def trail(self, approval_id: str) -> list[AuditEvent]:
        """The audit trail once everything production runs after a write has run."""
        ...


@dataclass
class InMemorySubject:
    """The in-memory store: one object, shared by every thread; its trail is final at once."""

    name: str = "memory"
    store: InMemoryApprovalStore = field(default_factory=InMemoryApprovalStore)

    def connect(self) -> InMemoryApprovalStore:
        return self.store

    def trail(self, approval_id: str) -> list[AuditEvent]:
        return self.store.audit_trail(approval_id)


class RecordingCallbacks:
    """Lambda's callback API as the relay sees it: every send accepted and remembered."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def succeed(self, callback_id: str, result: bytes) -> bool:
        self.sent.append(callback_id)
        return True


class DynamoSubject:
    """The DynamoDB store over fresh tables, with the relay reading the table's stream."""

    name = "dynamodb"

    def __init__(self, endpoint: str) -> None:
        self._endpoint = endpoint
        prefix = f"contract{next(_tables)}-"
        client = self._session().client("dynamodb", endpoint_url=endpoint)
        self.tables = {role: f"{prefix}{role}" for role in ("approvals", "audit")}
        for role, name in self.tables.items():
            client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **TABLES[role])
        described = client.describe_table(TableName=self.tables["approvals"])["Table"]
        self._stream_arn = described["LatestStreamArn"]
        self.store = self.connect()

    @staticmethod
    def _session() -> boto3.session.Session:
        """One session for the suite (it loads botocore's models once), built on the main
        thread; each store handle gets its own client from it, as a container would."""
        return _session()

    def connect(self) -> DynamoApprovalStore:
        client = self._session().client("dynamodb", endpoint_url=self._endpoint)
        return DynamoApprovalStore(client, self.tables["approvals"], self.tables["audit"])

    def _relay(self) -> Callable[[dict[str, Any], Any], Any]:
        client = self._session().client("dynamodb", endpoint_url=self._endpoint)
        audit = DynamoAuditLog(client, self.tables["audit"])
        return make_stream_handler(DecisionRelay(RecordingCallbacks(), InMemorySlack(), audit))

    def trail(self, approval_id: str) -> list[AuditEvent]:
        streams = self._session().client("dynamodbstreams", endpoint_url=self._endpoint)
        for _ in range(2):  # delivered, then the whole stream delivered again
            StreamPoller(streams, self._stream_arn, self._relay()).drain()
        return self.store.audit_trail(approval_id)


@functools.cache
def _session() -> boto3.session.Session:
    # a session of our own, so the tests need no AWS environment
    return boto3.session.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # moto's dummy credentials
        region_name="us-east-1",
    )


@pytest.fixture(scope="session")
def local_dynamodb() -> Iterator[str]:
    """The local DynamoDB the integration tests use, on a free loopback port."""
    server = DynamoDBServer().start()
    yield server.url
    server.stop()


@pytest.fixture(params=["memory", "dynamodb"])
def subject(request: pytest.FixtureRequest) -> Subject:
    if request.param == "memory":
        return InMemorySubject()
    endpoint: str = request.getfixturevalue("local_dynamodb")
    return DynamoSubject(endpoint)


_ids = itertools.count(1)


def new_record(
    *,
    quorum: int = 1,
    approvers: frozenset[str] = APPROVERS,
    viewers: frozenset[str] = frozenset(),
    allow_self_approval: bool = False,
    created_at: str = AT,
    allow_delegation: bool = False,
) -> ApprovalRecord:
    """A pending approval as the gate builds it, requested by U0ALICE."""
    n = next(_ids)
    return ApprovalRecord(
        approval_id=f"contract{n:014d}",
        callback_id=f"cb-{n}-opaque",
        execution_arn=f"arn:aws:lambda:us-east-1:123456789012:function:f:live/durable-execution/e{n}",
        request=ApprovalRequest(
            f"Order ord-{n}", "U0ALICE", amount=Amount(125_000, "EUR"), reference=f"ord-{n}"
        ),
        policy=ApproverPolicy(
            approvers,
            quorum=quorum,
            viewer_ids=viewers,
            allow_self_approval=allow_self_approval,
            allow_delegation=allow_delegation,
        ),
        created_at=created_at,
        expires_at="2026-11-23T12:00:00+00:00",
        ttl=1_800_000_000,
    )


def posted(store: ContractStore, **shape: Any) -> ApprovalRecord:
    """A pending approval stored and posted, as the gate leaves it."""
    record = new_record(**shape)
    store.create(record)
    store.attach_message(record.approval_id, MESSAGE)
    return store.get(record.approval_id)
