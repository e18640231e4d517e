"""Every stored decision reaches its workflow: the approvals table's stream is the outbox.

A decision is a record moving from `pending` to `approved` or `rejected`, written by the webhook
(or an operator's `decide.sh`) in one conditional transaction. Sending its callback is a second
act that can fail on its own: the process may die between the two, or Lambda's API may not
answer. The relay consumes the table's stream and, for every such move, sends the callback;
until Lambda's API accepts the callback or says it is closed, the change is reported as failed
and the stream delivers it again (Lambda's retries on AWS, the local poller's on the local
stack). A callback the webhook already sent answers "closed": sending twice changes nothing,
so every decision reaches its workflow exactly once in effect. Expiry is not relayed: the gate
writes it itself, after its callback timed out; nor is a refusal (a request rejected by no one,
too few of its approvers reachable: `ApprovalRecord.is_refused`), which the gate writes and
returns itself.

The relay also redraws the request's messages, every copy of it, for every change that counted
a vote (a decision, or progress such as "1 of 2"): the click redraws only the copy its clicker
sees, since Slack wants the click answered within 3 s and a request sent to many people's DMs
has a copy in each (`decisions.py`). What Slack shows is best effort and after the callbacks,
in the time the invocation has left (`make_stream_handler`).

The relay also writes every vote's audit lines (`greenlight/core/vote_audit.py`), before it sends
the callback: a vote is one conditional write to the record, with no transaction to carry its
audit line, and the stream holds every change of the record (NEW_AND_OLD_IMAGES, kept 24 hours,
retried until it succeeds). The lines are derived from the images, so a redelivered change
derives the same lines with the same keys, and each is a conditional put that never
overwrites: every counted vote and every decision gets its line exactly once, even if the
webhook died right after its write. (Writing the line from the webhook after the vote would
lose it exactly then; a transaction would bring back the two-item write the click path left.)
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from greenlight.aws.approval_store import plain
from greenlight.core.errors import CallbackRefusedError
from greenlight.core.record import ApprovalRecord
from greenlight.core.vote_audit import vote_lines
from greenlight.core.votes import Status
from greenlight.webhook.decisions import deliver

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
        DynamoDBRecord,
    )
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from greenlight.webhook.ports import AuditLog, CallbackSender, MessageBoard

    StreamHandler = Callable[[dict[str, Any], LambdaContext | None], PartialItemFailureResponse]

logger = logging.getLogger(__name__)


class HomeTabs(Protocol):
    """The App Home tabs of the people an approval concerns (`greenlight.webhook.home`)."""

    def refresh(self, record: ApprovalRecord, until: float = math.inf) -> int:
        """Publish their Home tabs again, none once `time.monotonic()` reaches `until`; how
        many Slack accepted."""
        ...


DECIDED = (Status.APPROVED.value, Status.REJECTED.value)
# Kept back from Slack at the end of an invocation: one more Slack call (slack.client's 5 s
# timeout; a long 429 Retry-After can still overrun it, and Lambda then retries the batch, whose
# callbacks answer "closed"), then time to answer Lambda
SLACK_RESERVE_SECONDS = 10.0
LOCAL_SLACK_SECONDS = 50.0  # the local poller's batches: as the deployed relay's 60 s allow


def votes_changed(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> bool:
    """Whether this change of a record (its stream images) counted a vote: its messages show
    the votes, so they are redrawn. (Posting a copy, a reminder or an escalation changes the
    record but no vote; what those change in the message, their own writer draws.)"""
    if not old or not new:
        return False
    return old.get("votes") != new.get("votes")


def decided_in(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> bool:
    """Whether this change of a record (its stream images) is the one that decided it."""
    if not old or not new:
        return False
    return old.get("status") == Status.PENDING.value and new.get("status") in DECIDED


class DecisionRelay:
    """Sends the callback of each decision the stream shows, and redraws every copy of the
    message of each change that counted a vote."""

    def __init__(
        self,
        callbacks: CallbackSender,
        board: MessageBoard,
        audit: AuditLog,
        homes: HomeTabs | None = None,
    ) -> None:
        self._callbacks = callbacks
        self._board = board
        self._audit = audit
        self._homes = homes

    def deliver_change(
        self, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
    ) -> Change | None:
        """What must not wait on Slack: audit the votes a change counted, send the callback of
        the decision it made. Returns what Slack should show of it (`redraw`, `refresh_homes`),
        or None.

        A record the relay can never deliver (unreadable, or a callback Lambda refuses for good)
        is logged as an error and let go: retried, it would hold back every decision behind it
        on its shard until Lambda gives up on it (greenlight.cdk.relay), then reach only the
        dead-letter queue.

        Raises:
            DeliveryError: the callback could not be sent yet; the stream retries the record.
        """
        if not new:
            return None  # a record removed (its time to live passed): nothing to say
        try:
            record = ApprovalRecord.from_item(plain(dict(new)))
            before = ApprovalRecord.from_item(plain(dict(old))) if old else None
        except (KeyError, TypeError, ValueError) as err:
            logger.error("unreadable decision record let go", extra={"error": type(err).__name__})
            return None
        for event in vote_lines(before, record):
            self._audit.append_once(event)
        # A request the gate refused (rejected by no one) is its own answer, like an expiry:
        # the gate returned it to the workflow and redrew its copies; no one waits on a callback
        decided = decided_in(old, new) and not record.is_refused
        if decided and not self._deliver(record):
            return Change(record, redraw=False)
        return Change(record, redraw=decided or votes_changed(old, new))

    def redraw(self, change: Change, until: float = math.inf) -> bool:
        """Every copy of the message redrawn, best effort, one after the other until
        `time.monotonic()` reaches `until`: progress, or a decision (the same final message
        whoever draws it: its buttons go). False when time ran out before the last copy."""
        if not change.redraw:
            return True
        for message in change.record.posted_as():
            if time.monotonic() >= until:
                return False
            self._board.redraw_copy(change.record, message)
        return True

    def refresh_homes(self, change: Change, until: float = math.inf) -> None:
        """The App Home tabs of the people the change concerns, as many as there is time for
        (`until`, on `time.monotonic()`)."""
        self._refresh_homes(change.record, until)

    def _deliver(self, record: ApprovalRecord) -> bool:
        """Send the decision's callback; False when Lambda refused it for good (let go).

        Raises:
            DeliveryError: the callback could not be sent yet; the stream retries the record.
        """
        try:
            if deliver(self._callbacks, record):
                logger.info(
                    "decision delivered by the relay", extra={"approval_id": record.approval_id}
                )
        except CallbackRefusedError as err:
            logger.error(
                "callback refused by Lambda; decision let go",
                extra={"approval_id": record.approval_id, "code": err.code},
            )
            return False
        return True

    def _refresh_homes(self, record: ApprovalRecord, until: float) -> None:
        """Redraw the App Home of everyone the change concerns (bounded, best effort): a Home
        tab is a view of the table, so a failure here never fails the batch; the next change,
        or the person opening the tab, draws it again."""
        if self._homes is None:
            return
        try:
            self._homes.refresh(record, until)
        except Exception:  # noqa: BLE001  # nothing about a Home tab may hold back a decision
            logger.warning("App Home tabs not refreshed", extra={"approval_id": record.approval_id})


@dataclass(frozen=True, slots=True)
class Change:
    """A change of an approval the relay handled: the record after it, and whether Slack
    should redraw its message (the change counted a vote, and did not decide it with a
    callback Lambda refused)."""

    record: ApprovalRecord
    redraw: bool


def for_slack(changes: Sequence[Change]) -> list[Change]:
    """The changes of one batch as Slack should see them: one per approval, its last (the
    messages and Home tabs show the record as it is now), redrawn if any of its changes is."""
    last: dict[str, Change] = {}
    for change in changes:
        earlier = last.pop(change.record.approval_id, None)
        redraw = change.redraw or (earlier is not None and earlier.redraw)
        last[change.record.approval_id] = Change(change.record, redraw)
    return list(last.values())


def before_failures(
    changes: list[Change], response: PartialItemFailureResponse, event: dict[str, Any]
) -> list[Change]:
    """`changes` (those handled before the batch's first failure, in order) without the ones of
    an approval that also has a failed record in the batch."""
    failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
    if not failed:
        return changes
    retried = {
        _approval_id(r)
        for r in event.get("Records", [])
        if r.get("dynamodb", {}).get("SequenceNumber") in failed
    }
    return [c for c in changes if c.record.approval_id not in retried]


def _approval_id(record: dict[str, Any]) -> str | None:
    """The approval id a raw stream record is about (its key), if it names one."""
    key = record.get("dynamodb", {}).get("Keys", {}).get("approval_id", {})
    return key.get("S") if isinstance(key, dict) else None


def make_stream_handler(relay: DecisionRelay) -> StreamHandler:
    """A Lambda handler for DynamoDB stream batches (Powertools' batch processor), in two
    passes: each record's audit lines and callback (`deliver_change`; records that raised are
    reported as failed, so the stream delivers them again, from the first of them), then what
    Slack shows of the batch's changes (`redraw`, then `refresh_homes`) while the invocation
    has time for it."""
    # Imported here: the webhook builds from the same package, and its cold start should not
    # pay for a utility only the relay uses.
    from aws_lambda_powertools.utilities.batch import (  # noqa: PLC0415
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)

    def handler(event: dict[str, Any], context: LambdaContext | None) -> PartialItemFailureResponse:
        changes: list[Change] = []
        failed = False  # a record raised: Lambda delivers it, and every one after it, again

        def on_record(record: DynamoDBRecord) -> None:
            nonlocal failed
            images = record.dynamodb
            try:
                change = relay.deliver_change(
                    images.old_image if images else None, images.new_image if images else None
                )
            except Exception:
                failed = True
                raise  # reported as failed by the batch processor
            if change is not None and not failed:
                changes.append(change)

        response = process_partial_response(
            event=event, record_handler=on_record, processor=processor, context=context
        )
        # Every callback of the batch is sent before Slack is asked for anything, and Slack
        # gets only the time left: a slow or down Slack never holds a decision back, nor makes
        # the batch time out (Lambda would then retry it whole, and again, for the outage).
        # Decided messages first (their buttons must go), then those that show progress, every
        # copy of each; then the Home tabs (views of the table, redrawn by the next change or
        # when opened). A copy left out shows the record as before, until its next change.
        # Slack is shown only what came before the first failure, and nothing of an approval
        # whose later change failed: its earlier change would draw an older state (a vote
        # counted, buttons on) over what the webhook drew of the decision; the redelivery
        # draws it (`before_failures`).
        slack_until = time.monotonic() + slack_budget(context)
        shown = for_slack(before_failures(changes, response, event))
        redraws = sorted(
            (change for change in shown if change.redraw),
            key=lambda change: not change.record.status.is_final,
        )
        for done, change in enumerate(redraws):
            if not relay.redraw(change, slack_until):
                logger.warning(
                    "out of time for Slack; messages not redrawn",
                    extra={"not_redrawn": [c.record.approval_id for c in redraws[done:]]},
                )
                break
        for done, change in enumerate(shown):
            if time.monotonic() >= slack_until:
                logger.warning(
                    "out of time for Slack; Home tabs left to the next change or their opening",
                    extra={"not_refreshed": len(shown) - done},
                )
                break
            relay.refresh_homes(change, slack_until)
        return response

    return handler


def slack_budget(context: LambdaContext | None) -> float:
    """Seconds the batch may still spend on Slack: the invocation's time left, less what one
    more Slack call may take (its timeout and a rate-limit retry) and a margin to answer."""
    if context is None:  # the local poller, which has no deadline of its own
        return LOCAL_SLACK_SECONDS
    return context.get_remaining_time_in_millis() / 1000 - SLACK_RESERVE_SECONDS
