"""The order saga's in-memory world, type-checked against the Protocols.

The approval store, Slack, the directory, the clock and the ids are the ones shipped in
`greenlight.testing` (re-exported here under the names these tests have used); the order-only
fakes (reservations, payments, conditions, alerts) live here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from examples.orders.ports import (
    Charge,
    ConditionUnavailableError,
    Dependencies,
    PaymentDeclinedError,
    PaymentUnavailableError,
)
from greenlight.core.errors import InvalidRequestError
from greenlight.gate import Greenlight
from greenlight.testing import (
    InMemoryApprovalStore,
    InMemoryDirectory,
    InMemorySlack,
    SequentialIds,
    SettableClock,
)

if TYPE_CHECKING:
    from examples.orders.ports import Alerts, Conditions, PaymentGateway, Reservations
    from greenlight.core.record import ApprovalRecord, SlackMessage
    from greenlight.core.route import Route
    from greenlight.gate.ports import ApprovalNotifier, ApprovalStore, Directory

__all__ = [
    "FakeWorld",
    "InMemoryApprovalStore",
    "RecordingAlerts",
    "RecordingNotifier",
    "RecordingReservations",
    "ScriptedConditions",
    "ScriptedPayments",
    "StaticDirectory",
]


class RecordingNotifier:
    """`greenlight.testing.InMemorySlack`, seen as the order tests read it (records and texts)."""

    def __init__(self) -> None:
        self.slack = InMemorySlack()

    @property
    def fail_posts(self) -> int:
        return self.slack.fail_posts

    @fail_posts.setter
    def fail_posts(self, count: int) -> None:
        self.slack.fail_posts = count

    @property
    def posts(self) -> list[ApprovalRecord]:
        return [p.record for p in self.slack.posts]

    @property
    def updates(self) -> list[ApprovalRecord]:
        return list(self.slack.redraws)

    @property
    def notices(self) -> list[tuple[str, str]]:
        return [(n.user_id, n.text) for n in self.slack.notices]

    @property
    def replies(self) -> list[str]:
        return [r.text for r in self.slack.replies]

    @property
    def announcements(self) -> list[tuple[str, str]]:
        return [(a.channel, a.text) for a in self.slack.announcements]

    @property
    def routes(self) -> list[Route]:
        return [p.route for p in self.slack.posts if p.route is not None]

    def post_request(self, record: ApprovalRecord, route: Route) -> SlackMessage:
        return self.slack.post_request(record, route)

    def post_direct(self, record: ApprovalRecord, user_id: str) -> SlackMessage:
        return self.slack.post_direct(record, user_id)

    def message_directly(self, user_id: str, text: str) -> None:
        self.slack.message_directly(user_id, text)

    def update_request(self, record: ApprovalRecord) -> None:
        self.slack.update_request(record)

    def notify(self, user_id: str, text: str, thread: SlackMessage | None) -> None:
        self.slack.notify(user_id, text, thread)

    def reply(self, thread: SlackMessage, text: str) -> None:
        self.slack.reply(thread, text)

    def announce(self, channel: str, text: str) -> None:
        self.slack.announce(channel, text)


StaticDirectory = InMemoryDirectory


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
    directory: InMemoryDirectory = field(default_factory=InMemoryDirectory)
    reservations: RecordingReservations = field(default_factory=RecordingReservations)
    payments: ScriptedPayments = field(default_factory=ScriptedPayments)
    conditions: ScriptedConditions = field(default_factory=ScriptedConditions)
    alerts: RecordingAlerts = field(default_factory=RecordingAlerts)
    # One second passes per reading, from 12:00:01 (as the order tests have always seen it)
    clock: SettableClock = field(
        default_factory=lambda: SettableClock(
            datetime(2026, 11, 22, 12, 0, 1, tzinfo=UTC), step=timedelta(seconds=1)
        )
    )
    new_id: SequentialIds = field(default_factory=SequentialIds)
    requester: str | None = None  # the label `grant_requester` would give the function

    def greenlight(self) -> Greenlight:
        """The approval gate over the in-memory store, notifier and directory."""
        approvals: ApprovalStore = self.approvals
        notifier: ApprovalNotifier = self.notifier
        directory: Directory = self.directory
        return Greenlight(
            approvals,
            notifier,
            directory,
            clock=self.clock,
            new_id=self.new_id,
            requester=self.requester,
        )

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
