"""A person's click, as the webhook handles it, for tests of your own workflow.

The webhook counts a vote with one conditional write and, when the vote decides the approval,
resumes the workflow with a success callback carrying the decision (approve, reject or expire
alike). `click` does the same against the in-memory store, with the callback sent wherever the
test says: the durable SDK's test runner (`runner.send_callback_success`) or your own double.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from greenlight.core.outcome import decision_payload
from greenlight.core.votes import Verdict, Vote, VoteEffect

if TYPE_CHECKING:
    from collections.abc import Callable

    from greenlight.core.record import ApprovalRecord
    from greenlight.testing.store import InMemoryApprovalStore


def click(
    store: InMemoryApprovalStore,
    resume: Callable[[str, bytes], object],
    approval_id: str,
    user_id: str,
    verdict: Verdict | str,
    *,
    reason: str | None = None,
    comment: str | None = None,
    confirmed: bool = False,
    at: datetime | None = None,
) -> VoteEffect:
    """`user_id` approves or rejects (a reject needs `reason`); resume the workflow if decided.

    An approve may carry a `comment` (the "Approve with comment" modal); `confirmed=True` is an
    approve submitted through a modal, the only way a sensitive request is approved (a comment
    is always submitted through one).

    `at` is when the click happens (default: now). A click at or after the request's deadline
    (`expires_at`) is refused as expired, as the webhook refuses it, even while the record is
    still pending: a gate running on a `SettableClock` posts requests on that clock's time, so
    its clicks pass `at=clock.now`.

    Raises what the webhook would answer the person with: NotAuthorizedError (not an approver,
    the requester), ConflictError (already decided, or expired), NotFoundError,
    InvalidRequestError.
    """
    when = (at or datetime.now(UTC)).isoformat()
    vote = Vote(
        user_id,
        Verdict(verdict),
        when,
        reason,
        comment=comment,
        confirmed=confirmed or comment is not None,
    )
    after, effect = store.record_vote(approval_id, vote)
    if effect is VoteEffect.DECIDED:
        resume(after.callback_id, decision_payload(after))
    return effect


def posted(store: InMemoryApprovalStore, title: str, *, timeout: float = 10) -> ApprovalRecord:
    """The request titled `title` once the workflow has posted it (it runs on another thread).

    Raises:
        TimeoutError: nothing with that title was posted within `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        found = [r for r in store.records.values() if r.request.title == title and r.slack]
        if found:
            return found[-1]
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"no request titled {title!r} was posted in {timeout} s (if the workflow failed"
                " before asking, its error is in the runner's result: wait_for_result)"
            )
        time.sleep(0.01)
