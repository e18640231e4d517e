"""The error vocabulary every layer shares; stdlib only, at the bottom of the import graph.

Each error carries structured fields and builds its message from them, so edges can map
types to responses in one table and never match on message text.
"""

from __future__ import annotations


class ApprovalError(Exception):
    """Base of every error Greenlight raises on purpose."""


class InvalidRequestError(ApprovalError):
    """Input from outside is malformed; the caller must fix it and retry."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"invalid {field}: {problem}")


class NotFoundError(ApprovalError):
    """No approval exists under this id (never created, or long expired)."""

    def __init__(self, approval_id: str) -> None:
        self.approval_id = approval_id
        super().__init__(f"approval {approval_id} not found; it may have been removed")


class NotAuthorizedError(ApprovalError):
    """The user may not decide this approval; nothing was changed."""

    def __init__(self, approval_id: str, user_id: str, why: str) -> None:
        self.approval_id = approval_id
        self.user_id = user_id
        self.why = why
        super().__init__(f"user {user_id} may not decide approval {approval_id}: {why}")


class ConfirmationRequiredError(NotAuthorizedError):
    """A one-click approve of a sensitive request: it is approved only through its confirmation
    modal (a signed `view_submission`), never by a button alone; nothing was changed.

    A `NotAuthorizedError`, so every edge that answers those answers this one too.
    """

    def __init__(self, approval_id: str, user_id: str) -> None:
        super().__init__(
            approval_id,
            user_id,
            "it is marked sensitive, so it is approved only by confirming in its form",
        )


class AlreadyVotedError(NotAuthorizedError):
    """The clicker cast a vote on this approval already (their own, or one for `voted_for` as
    a delegate): one counted vote per person, so nothing was changed.

    A `NotAuthorizedError`, so every edge that answers those answers this one too; a caller
    that would try the clicker's delegations after a refusal must not (they voted already).
    """

    def __init__(
        self,
        approval_id: str,
        user_id: str,
        voted_for: str | None,
        *,
        counted_for: str | None = None,
        counted_by: str | None = None,
    ) -> None:
        self.voted_for = voted_for
        # A delegate about to vote for `counted_for`, whose vote someone else cast already
        self.counted_for = counted_for
        # An approver whose vote their delegate `counted_by` cast already
        self.counted_by = counted_by
        if counted_by:
            why = f"your delegate {counted_by} cast your vote already"
        elif counted_for:
            why = f"{counted_for}'s vote is already counted"
        elif voted_for:
            why = f"you already voted (for {voted_for}, as their delegate)"
        else:
            why = "you already voted"
        super().__init__(approval_id, user_id, why)


class ConflictError(ApprovalError):
    """The approval is no longer pending: someone else decided, or it expired.

    `decided_by` and `decided_at` say who and when, when the refusal knew (a refused write
    returns the record), so the clicker can be told without another read.
    """

    def __init__(
        self,
        approval_id: str,
        status: str,
        decided_by: tuple[str, ...] = (),
        decided_at: str | None = None,
    ) -> None:
        self.approval_id = approval_id
        self.status = status
        self.decided_by = decided_by
        self.decided_at = decided_at
        when = f" (at {decided_at})" if decided_at else ""
        super().__init__(f"approval {approval_id} is already {status}{when}")


class ConfigError(ApprovalError):
    """Configuration is missing or malformed; lists every problem at once."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("configuration invalid: " + "; ".join(problems))


class DeliveryError(ApprovalError):
    """A stored decision could not be sent to its workflow yet (Lambda's API failed or timed
    out); the table's stream delivers it later, so the clicker is not told of an error."""

    def __init__(self, cause: str) -> None:
        self.cause = cause
        super().__init__(f"decision not delivered to its workflow yet ({cause}); it is retried")


class CallbackRefusedError(ApprovalError):
    """Lambda refused a decision's callback for good (access denied, an invalid id, a key it
    cannot use): sending it again cannot help. The stored decision stands; the workflow reads
    it when its own ladder wakes, and operators are told."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(f"Lambda refused the callback ({code}); it will not be sent again")


class ApprovalFailedError(ApprovalError):
    """The approval's callback was failed with something that is not a decision: a true error
    sent by whoever holds the callback id. Never read as a rejection (nor an approval): the
    gate raises it, and the workflow sees its child context fail."""

    def __init__(self, approval_id: str, error_type: str | None, message: str | None) -> None:
        self.approval_id = approval_id
        self.error_type = error_type
        super().__init__(
            f"approval {approval_id} failed: {error_type or 'error'}: {message or 'no message'}"
        )
