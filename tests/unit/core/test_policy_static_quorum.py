"""A policy of named users only, whose quorum exceeds them, is refused when it is built.

`Policy` defers the quorum check to `resolve` (when usergroups are known) and the gate turns an
infeasible quorum into an automatic *rejection*. For a policy naming users only, nothing is left
to resolve: `Policy(approvers=("U0BOB",), quorum=3)` can never be met, whoever asks. That is a
programming error, and today the workflow reads it as a person's "no" (it compensates, tells
the requester "rejected") only in production; it should be an `InvalidRequestError` at once,
like `quorum=0` is.
"""

from __future__ import annotations

import pytest

from greenlight.core.errors import InvalidRequestError
from greenlight.core.ladder import Ladder
from greenlight.core.policy import Policy
from greenlight.core.request import ApprovalRequest


def test_a_quorum_above_the_named_users_is_refused_at_once() -> None:
    with pytest.raises(InvalidRequestError) as refused:
        Policy(approvers=("U0BOB",), quorum=3)

    assert refused.value.field == "policy.quorum"


def test_a_quorum_that_usergroups_may_meet_is_still_left_to_resolve() -> None:
    assert Policy(approvers=("U0BOB", "S0DBAS"), quorum=3).quorum == 3


def test_defect_a_quorum_only_escalation_approvers_could_reach_is_refused_at_once() -> None:
    """Defect found by the mutation review (policy.py, the static quorum check counted the
    escalation approvers): escalation approvers may decide only once the request is escalated,
    and `resolve` (when it is posted) counts only who may decide then, so this policy was
    accepted when built and refused on every request, read by the workflow as a "no"."""

    def policy(quorum: int) -> Policy:
        return Policy(
            approvers=("U0BOB",),
            escalation_approvers=("U0CAROL",),
            quorum=quorum,
            ladder=Ladder(3600, escalate_after=600),
        )

    # Who may decide the request when it is posted, as `resolve` counts them: Bob only
    resolved = policy(1).resolve(ApprovalRequest("Deploy", "U0ALICE"), {})
    assert resolved.eligible_for(ApprovalRequest("Deploy", "U0ALICE")) == {"U0BOB"}

    with pytest.raises(InvalidRequestError) as refused:
        policy(2)
    assert refused.value.field == "policy.quorum"
