"""Who may decide, and which tier an amount falls in."""

from __future__ import annotations

import pytest

from greenlight.core.errors import ConfigError, InvalidRequestError, NotAuthorizedError
from greenlight.core.policy import ApproverPolicy, Tier, TierRules, authorize
from greenlight.core.request import ApprovalRequest

APPROVERS = frozenset({"U0BOB", "U0CAROL", "U0ALICE"})


def request(amount_cents: int = 125_000, requester: str = "U0ALICE") -> ApprovalRequest:
    return ApprovalRequest("ord-1", "Order ord-1", requester, amount_cents, "EUR")


def rules(approvers: frozenset[str] = APPROVERS) -> TierRules:
    return TierRules(
        auto_approve_below_cents=10_000, dual_approval_above_cents=1_000_000, approvers=approvers
    )


def test_below_the_threshold_is_approved_automatically_with_a_reason() -> None:
    decision = rules().classify(request(9_999))

    assert decision.tier is Tier.AUTO
    assert decision.reason == "99.99 EUR is below 100.00 EUR"


def test_the_threshold_itself_needs_one_approver() -> None:
    decision = rules().classify(request(10_000))

    assert decision.tier is Tier.SINGLE
    assert rules().policy_for(decision, request(10_000), APPROVERS).quorum == 1


def test_above_the_dual_threshold_needs_two_approvers() -> None:
    decision = rules().classify(request(1_000_001))

    assert decision.tier is Tier.DUAL
    assert rules().policy_for(decision, request(1_000_001), APPROVERS).quorum == 2


def test_a_quorum_the_requester_would_have_to_fill_is_refused_up_front() -> None:
    only_alice_and_bob = frozenset({"U0ALICE", "U0BOB"})
    decision = rules(only_alice_and_bob).classify(request(2_000_000))

    with pytest.raises(InvalidRequestError, match="needs 2 approvers but only 1 may decide"):
        rules().policy_for(decision, request(2_000_000), only_alice_and_bob)


def test_requester_may_not_decide_their_own_request() -> None:
    policy = ApproverPolicy(APPROVERS)

    with pytest.raises(NotAuthorizedError, match="your own request"):
        authorize(policy, request(), "a" * 22, "U0ALICE")


def test_self_approval_only_with_the_explicit_flag() -> None:
    policy = ApproverPolicy(APPROVERS, allow_self_approval=True)

    authorize(policy, request(), "a" * 22, "U0ALICE")  # does not raise


def test_someone_not_listed_may_not_decide() -> None:
    with pytest.raises(NotAuthorizedError, match="not an approver"):
        authorize(ApproverPolicy(APPROVERS), request(), "a" * 22, "U0EVE")


def test_listed_approver_may_decide() -> None:
    authorize(ApproverPolicy(APPROVERS), request(), "a" * 22, "U0BOB")


@pytest.mark.parametrize(
    ("approvers", "quorum", "message"),
    [
        (frozenset(), 1, "at least one approver"),
        (frozenset({"bob"}), 1, "not Slack user ids"),
        (frozenset({"U0BOB"}), 2, "must be 1..1"),
        (frozenset({"U0BOB"}), 0, "must be 1..1"),
    ],
)
def test_malformed_policies_are_refused(
    approvers: frozenset[str], quorum: int, message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        ApproverPolicy(approvers, quorum=quorum)


def test_tier_rules_report_every_problem_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        TierRules(
            auto_approve_below_cents=-1, dual_approval_above_cents=-5, approvers=frozenset({"x"})
        )

    assert len(caught.value.problems) == 3


def test_policy_round_trips_through_its_dict() -> None:
    policy = ApproverPolicy(APPROVERS, quorum=2, allow_self_approval=True)

    assert ApproverPolicy.from_dict(policy.to_dict()) == policy


def test_usergroups_are_accepted_as_approvers_and_viewers_may_only_look() -> None:
    tier_rules = TierRules(
        10_000, 1_000_000, frozenset({"S0FINANCE"}), viewer_ids=frozenset({"U0EVE"})
    )
    policy = tier_rules.policy_for(tier_rules.classify(request()), request(), frozenset({"U0BOB"}))

    with pytest.raises(NotAuthorizedError, match="follow this request but not decide"):
        authorize(policy, request(), "a" * 22, "U0EVE")


def test_escalation_adds_approvers_and_remembers_who() -> None:
    policy = ApproverPolicy(frozenset({"U0BOB"})).escalated_to(frozenset({"U0FRANK", "U0BOB"}))

    assert policy.approver_ids == {"U0BOB", "U0FRANK"}
    assert policy.escalated_ids == {"U0FRANK"}
