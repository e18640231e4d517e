"""In-memory implementations of the workflow's ports, type-checked against the Protocols."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from examples.orders.ports import (
    Charge,
    ConditionUnavailableError,
    Dependencies,
    PaymentDeclinedError,
    PaymentUnavailableError,
)
from greenlight.core.audit import AuditEvent, AuditKind
from greenlight.core.errors import ConflictError, InvalidRequestError, NotFoundError
from greenlight.core.policy import authorize
from greenlight.core.votes import VoteEffect
from greenlight.gate import Greenlight

if TYPE_CHECKING:
    from collections.abc import Callable

    from examples.orders.ports import Alerts, Conditions, PaymentGateway, Reservations
    from greenlight.core.record import ApprovalRecord, SlackMessage
    from greenlight.core.route import Route
    from greenlight.core.votes import Vote
    from greenlight.gate.ports import ApprovalNotifier, ApprovalStore, Directory


class InMemoryApprovalStore:
    """Approval records in a dict, with the same conditional semantics as DynamoDB's."""

    def __init__(self) -> None:
        self.records: dict[str, ApprovalRecord] = {}
        self.audit: list[AuditEvent] = []
        self._lock = threading.Lock()

    def create(self, record: ApprovalRecord) -> ApprovalRecord:
        with self._lock:
            if record.approval_id not in self.records:
                self.records[record.approval_id] = record
                self.audit.append(
                    AuditEvent(record.approval_id, AuditKind.REQUESTED, record.created_at)
                )
            return self.records[record.approval_id]

    def attach_message(self, approval_id: str, message: SlackMessage) -> None:
        with self._lock:
            self.records[approval_id] = replace(self.records[approval_id], slack=message)

    def get(self, approval_id: str) -> ApprovalRecord:
        with self._lock:
            if approval_id not in self.records:
                raise NotFoundError(approval_id)
            return self.records[approval_id]

    def update(
        self,
        approval_id: str,
        change: Callable[[ApprovalRecord], tuple[ApprovalRecord, list[AuditEvent]] | None],
    ) -> ApprovalRecord:
        with self._lock:
            current = self.records[approval_id]
            if current.status.is_final:
                return current
            changed = change(current)
            if changed is None:
                return current
            self.records[approval_id], events = changed
            self.audit.extend(events)
            return self.records[approval_id]

    def note(self, event: AuditEvent) -> None:
        with self._lock:
            self.audit.append(event)

    def pending(self) -> list[ApprovalRecord]:
        with self._lock:
            return [r for r in self.records.values() if not r.status.is_final]

    def record_vote(self, approval_id: str, vote: Vote) -> tuple[ApprovalRecord, VoteEffect]:
        with self._lock:
            if approval_id not in self.records:
                raise NotFoundError(approval_id)
            current = self.records[approval_id]
            authorize(current.policy, current.request, approval_id, vote.user_id)
            if current.status.is_final:
                raise ConflictError(approval_id, current.status.value)
            if current.vote_of(vote.user_id):
                return current, VoteEffect.ALREADY_COUNTED
            after = current.with_vote(vote)
            self.records[approval_id] = after
            self.audit.append(AuditEvent(approval_id, AuditKind.VOTED, vote.at, vote.user_id))
            if after.status.is_final:
                return after, VoteEffect.DECIDED
            return after, VoteEffect.COUNTED

    def only(self) -> ApprovalRecord:
        """The single record a one-approval test created."""
        (record,) = self.records.values()
        return record


@dataclass
class RecordingNotifier:
    """Remembers every post, update and notification; can be told to fail posting."""

    posts: list[ApprovalRecord] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    updates: list[ApprovalRecord] = field(default_factory=list)
    notices: list[tuple[str, str]] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    announcements: list[tuple[str, str]] = field(default_factory=list)
    fail_posts: int = 0
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def post_request(self, record: ApprovalRecord, route: Route) -> SlackMessage:
        from greenlight.core.record import SlackMessage  # noqa: PLC0415  # runtime use only here

        if self.fail_posts > 0:
            self.fail_posts -= 1
            raise ConnectionError("slack unreachable")
        self.posts.append(record)
        self.routes.append(route)
        return SlackMessage(route.id, f"1700000000.{next(self._ts):06d}")

    def update_request(self, record: ApprovalRecord) -> None:
        self.updates.append(record)

    def notify(self, user_id: str, text: str, thread: SlackMessage | None) -> None:
        self.notices.append((user_id, text))

    def reply(self, thread: SlackMessage, text: str) -> None:
        self.replies.append(text)

    def announce(self, channel: str, text: str) -> None:
        self.announcements.append((channel, text))


@dataclass
class StaticDirectory:
    """Usergroups with fixed members; counts lookups to prove caching."""

    groups: dict[str, frozenset[str]] = field(default_factory=dict)
    lookups: int = 0

    def members(self, usergroup_id: str) -> frozenset[str]:
        self.lookups += 1
        return self.groups[usergroup_id]


@dataclass
class RecordingReservations:
    """Holds by (kind, order id), and the order in which things were reserved and released."""

    held: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    unavailable: str | None = None  # a kind that cannot be reserved (e.g. no shipping slot)
    answer_lost: str | None = None  # a kind whose hold lands but whose answer never arrives

    def reserve(self, kind: str, order_id: str, details: dict[str, Any]) -> dict[str, Any]:
        if kind == self.unavailable:
            raise InvalidRequestError(kind, "nothing left to reserve")
        key = (kind, order_id)
        if key not in self.held:
            self.log.append(f"reserve {kind}")
            self.held[key] = {"kind": kind, "order_id": order_id, "status": "held"} | details
        if kind == self.answer_lost:
            raise TimeoutError("reservation answer lost")
        return self.held[key]

    def release(self, kind: str, order_id: str) -> bool:
        hold = self.held.get((kind, order_id))
        if hold is None:
            return False
        if hold["status"] == "held":
            hold["status"] = "released"
            self.log.append(f"release {kind}")
        return True


@dataclass
class ScriptedPayments:
    """Fails `unavailable` times, then charges once per idempotency key (or declines).

    `answers_lost`: the next N charges that go through lose their answer (the caller sees a
    timeout). `crash_after_charge`: a charge goes through, then the step dies with a
    non-retryable error before it can record the result. `unsettled_lookups`: the next N
    lookups find the key still in progress. `refunds_unavailable`: the next N refunds fail.
    """

    unavailable: int = 0
    decline: bool = False
    answers_lost: int = 0
    crash_after_charge: bool = False
    unsettled_lookups: int = 0
    refunds_unavailable: int = 0
    attempts: int = 0
    lookups: int = 0
    refund_attempts: int = 0
    charges: dict[str, Charge] = field(default_factory=dict)
    refunds: dict[str, str] = field(default_factory=dict)

    def refund(self, idempotency_key: str, charge_id: str) -> str:
        assert any(c.charge_id == charge_id for c in self.charges.values()), charge_id
        self.refund_attempts += 1
        if self.refunds_unavailable > 0:
            self.refunds_unavailable -= 1
            raise PaymentUnavailableError("provider returned 503")
        return self.refunds.setdefault(idempotency_key, f"re_{charge_id}")

    def find_charge(self, idempotency_key: str) -> Charge | None:
        self.lookups += 1
        if self.unsettled_lookups > 0:
            self.unsettled_lookups -= 1
            raise PaymentUnavailableError("payment provider: request still in progress")
        return self.charges.get(idempotency_key)

    def charge(self, idempotency_key: str, amount_cents: int, currency: str, card: str) -> Charge:
        self.attempts += 1
        if self.decline:
            raise PaymentDeclinedError("card_declined")
        if self.unavailable > 0:
            self.unavailable -= 1
            raise PaymentUnavailableError("provider returned 503")
        if idempotency_key not in self.charges:
            self.charges[idempotency_key] = Charge(
                f"ch_{len(self.charges) + 1}", amount_cents, currency
            )
        if self.answers_lost > 0:
            self.answers_lost -= 1
            raise PaymentUnavailableError("payment provider unreachable")
        if self.crash_after_charge:
            raise RuntimeError("worker died after the charge, before recording it")
        return self.charges[idempotency_key]


@dataclass
class ScriptedConditions:
    """A condition that turns to `verdict` after `after_polls` polls (never, if None).

    `throttled_reads`: the read numbers (1-based, counting every read) that fail transiently.
    `broken`: every read fails with this permanent error. `verdict_at_close`: a verdict set
    by the reviewer after the last poll, just before the workflow closes the item.
    """

    verdict: str | None = "cleared"
    after_polls: int = 0
    polls: int = 0
    reads: int = 0
    throttled_reads: frozenset[int] = frozenset()
    broken: Exception | None = None
    verdict_at_close: str | None = None
    opened: list[str] = field(default_factory=list)
    closed: dict[str, str] = field(default_factory=dict)

    def open(self, order_id: str, kind: str) -> None:
        if order_id not in self.opened:
            self.opened.append(order_id)

    def status(self, order_id: str) -> str:
        self.reads += 1
        if self.broken is not None:
            raise self.broken
        if self.reads in self.throttled_reads:
            raise ConditionUnavailableError("ProvisionedThroughputExceededException")
        self.polls += 1
        if order_id in self.closed:
            return "expired"
        if self.verdict is None or self.polls <= self.after_polls:
            return "pending"
        return self.verdict

    def close(self, order_id: str, outcome: str) -> str:
        if self.verdict_at_close is not None:
            return self.verdict_at_close
        self.closed.setdefault(order_id, outcome)
        return "expired"


@dataclass
class RecordingAlerts:
    """Operator notices, in order."""

    sent: list[tuple[str, str]] = field(default_factory=list)

    def publish(self, subject: str, message: str) -> None:
        self.sent.append((subject, message))


@dataclass
class FakeWorld:
    """All fakes together, plus the Dependencies that hand them to the workflow."""

    approvals: InMemoryApprovalStore = field(default_factory=InMemoryApprovalStore)
    notifier: RecordingNotifier = field(default_factory=RecordingNotifier)
    directory: StaticDirectory = field(default_factory=StaticDirectory)
    reservations: RecordingReservations = field(default_factory=RecordingReservations)
    payments: ScriptedPayments = field(default_factory=ScriptedPayments)
    conditions: ScriptedConditions = field(default_factory=ScriptedConditions)
    alerts: RecordingAlerts = field(default_factory=RecordingAlerts)
    now: datetime = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def clock(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now

    def new_id(self) -> str:
        return f"approval{next(self.ids):014d}"

    def greenlight(self) -> Greenlight:
        """The approval gate over the in-memory store, notifier and directory."""
        approvals: ApprovalStore = self.approvals
        notifier: ApprovalNotifier = self.notifier
        directory: Directory = self.directory
        return Greenlight(approvals, notifier, directory, clock=self.clock, new_id=self.new_id)

    def dependencies(self) -> Dependencies:
        reservations: Reservations = self.reservations
        payments: PaymentGateway = self.payments
        conditions: Conditions = self.conditions
        alerts: Alerts = self.alerts
        return Dependencies(
            approvals=self.greenlight(),
            reservations=reservations,
            payments=payments,
            conditions=conditions,
            alerts=alerts,
        )
