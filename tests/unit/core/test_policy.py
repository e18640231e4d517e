"""Who may decide, and which tier an amount falls in."""

from __future__ import annotations

from typing import Any

import pytest

from greenlight.core.errors import ConfigError, InvalidRequestError, NotAuthorizedError
from greenlight.core.ladder import Ladder
from greenlight.core.policy import (
    ApproverPolicy,
    AutoApprove,
    Policy,
    Tier,
    Tiers,
    authorize,
    is_usergroup_id,
)
from greenlight.core.request import Amount, ApprovalRequest

APPROVERS = frozenset({"U0BOB", "U0CAROL", "U0ALICE"})


def request(amount_cents: int = 125_000, requester: str = "U0ALICE") -> ApprovalRequest:
    return ApprovalRequest(
        "Order ord-1", requester, amount=Amount(amount_cents, "EUR"), reference="ord-1"
    )


def tiers(approvers: frozenset[str] = APPROVERS, **more: Any) -> Tiers:
    return Tiers(
        auto_approve_below_cents=10_000,
        dual_approval_above_cents=1_000_000,
        approvers=approvers,
        **more,
    )


def test_below_the_threshold_is_approved_automatically_with_a_reason() -> None:
    chosen = tiers().choose(Amount(9_999, "EUR"))

    assert chosen == AutoApprove("99.99 EUR is below 100.00 EUR")


def test_a_sensitive_request_below_the_threshold_needs_one_approver() -> None:
    chosen = tiers(ladders={Tier.SINGLE: Ladder(600)}).choose(Amount(9_999, "EUR"), sensitive=True)

    assert isinstance(chosen, Policy)
    assert (chosen.quorum, chosen.ladder) == (1, Ladder(600))
    assert tiers().tier(Amount(1, "EUR"), sensitive=True) is Tier.SINGLE


def test_the_threshold_itself_needs_one_approver() -> None:
    chosen = tiers().choose(Amount(10_000, "EUR"))

    assert isinstance(chosen, Policy)
    assert chosen.quorum == 1
    assert set(chosen.approvers) == APPROVERS


def test_above_the_dual_threshold_needs_two_approvers_with_the_dual_ladder() -> None:
    dual = Ladder(7200, remind_after=600)
    chosen = tiers(ladders={Tier.DUAL: dual}).choose(Amount(1_000_001, "EUR"))

    assert isinstance(chosen, Policy)
    assert (chosen.quorum, chosen.ladder) == (2, dual)


def test_a_quorum_the_requester_would_have_to_fill_is_refused_once_resolved() -> None:
    # Given a usergroup of two, one of them the requester, and two approvals needed
    policy = Policy(approvers=("S0FINANCE",), quorum=2)
    members = {"S0FINANCE": frozenset({"U0ALICE", "U0BOB"})}

    with pytest.raises(InvalidRequestError, match="needs 2 approvers but only 1 may decide"):
        policy.resolve(request(), members)


def test_a_policy_resolves_usergroups_to_their_members() -> None:
    policy = Policy(
        approvers=("S0FINANCE", "U0DAVE"),
        viewers=("U0EVE",),
        escalation_approvers=("S0DIRECTORS",),
        ladder=Ladder(3600, escalate_after=60),
    )
    members = {"S0FINANCE": frozenset({"U0BOB", "U0CAROL"}), "S0DIRECTORS": frozenset({"U0FRANK"})}

    resolved = policy.resolve(request(), members)

    assert policy.usergroups == {"S0FINANCE", "S0DIRECTORS"}
    assert resolved.approver_ids == {"U0BOB", "U0CAROL", "U0DAVE"}
    assert resolved.viewer_ids == {"U0EVE"}
    assert policy.escalation_ids(members) == {"U0FRANK"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"approvers": ()}, "at least one approver"),
        ({"approvers": ("bob",)}, "not Slack user"),
        ({"quorum": 0}, "must be 1 or more"),
        ({"quorum": True}, "must be 1 or more"),
        ({"viewers": ("S0GROUP",)}, "policy.viewers"),
        ({"escalation_approvers": ("#ops",)}, "policy.escalation_approvers"),
        ({"ladder": Ladder(600, escalate_after=60)}, "the ladder escalates, so name who"),
        ({"ladder": 600}, "must be a Ladder"),
    ],
)
def test_malformed_policies_are_refused_with_the_field_named(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        Policy(**({"approvers": ("U0BOB", "U0CAROL")} | changes))


def test_the_quorum_is_checked_once_resolved_in_one_place() -> None:
    policy = Policy(approvers=("S0FINANCE", "U0BOB"), quorum=3)  # group sizes unknown yet

    policy.resolve(request(), {"S0FINANCE": frozenset({"U0CAROL", "U0DAVE"})})  # 3 may decide
    with pytest.raises(InvalidRequestError, match="needs 3 approvers but only 2 may decide"):
        policy.resolve(request(), {"S0FINANCE": frozenset({"U0CAROL"})})


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


def test_tiers_report_every_problem_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        Tiers(auto_approve_below_cents=-1, dual_approval_above_cents=-5, approvers=frozenset({"x"}))

    assert len(caught.value.problems) == 3  # negative, below the other, not an id


def test_tiers_naming_one_person_refuse_a_dual_approval_when_chosen() -> None:
    one = tiers(frozenset({"U0BOB"}))

    assert isinstance(one.choose(Amount(500_000, "EUR")), Policy)  # the single tier works
    with pytest.raises(InvalidRequestError, match="needs 2 approvers but names only 1"):
        one.choose(Amount(2_000_000, "EUR"))


def test_a_usergroup_too_small_for_a_dual_approval_is_refused_when_resolved() -> None:
    chosen = tiers(frozenset({"S0FINANCE"})).choose(Amount(2_000_000, "EUR"))

    assert isinstance(chosen, Policy)
    with pytest.raises(InvalidRequestError, match="needs 2 approvers but only 1 may decide"):
        chosen.resolve(request(), {"S0FINANCE": frozenset({"U0BOB"})})


def test_tiers_refuse_a_ladder_that_escalates_to_no_one() -> None:
    with pytest.raises(ConfigError, match="escalation approvers are required"):
        tiers(ladders={Tier.SINGLE: Ladder(600, escalate_after=60)})


def test_policy_round_trips_through_its_dict() -> None:
    policy = ApproverPolicy(APPROVERS, quorum=2, allow_self_approval=True)

    assert ApproverPolicy.from_dict(policy.to_dict()) == policy


def test_usergroups_are_accepted_as_approvers_and_viewers_may_only_look() -> None:
    chosen = tiers(frozenset({"S0FINANCE"}), viewer_ids=frozenset({"U0EVE"})).choose(
        Amount(125_000, "EUR")
    )
    assert isinstance(chosen, Policy)
    policy = chosen.resolve(request(), {"S0FINANCE": frozenset({"U0BOB"})})

    with pytest.raises(NotAuthorizedError, match="follow this request but not decide"):
        authorize(policy, request(), "a" * 22, "U0EVE")


def test_escalation_adds_approvers_and_remembers_who() -> None:
    policy = ApproverPolicy(frozenset({"U0BOB"})).escalated_to(frozenset({"U0FRANK", "U0BOB"}))

    assert policy.approver_ids == {"U0BOB", "U0FRANK"}
    assert policy.escalated_ids == {"U0FRANK"}


def test_the_dual_threshold_itself_needs_one_approver() -> None:
    chosen = tiers().choose(Amount(1_000_000, "EUR"))

    assert isinstance(chosen, Policy)
    assert chosen.quorum == 1


def test_a_policy_stored_before_its_flags_existed_allows_neither_self_approval_nor_delegates() -> (
    None
):
    # A record written before `allow_self_approval` / `allow_delegation` were stored lacks them:
    # read back, it grants neither (the safe reading of "not said")
    old = {"approver_ids": ["U0ALICE", "U0BOB"], "quorum": 1}
    policy = ApproverPolicy.from_dict(old)

    assert (policy.allow_self_approval, policy.allow_delegation) == (False, False)
    assert (policy.viewer_ids, policy.escalated_ids, policy.quiet_ids) == (frozenset(),) * 3


def test_self_approval_travels_from_the_policy_to_the_record() -> None:
    policy = Policy(approvers=("U0ALICE", "U0BOB"), allow_self_approval=True).resolve(request(), {})

    assert policy.allow_self_approval
    assert policy.eligible_for(request()) == {"U0ALICE", "U0BOB"}
    authorize(policy, request(), "a" * 22, "U0ALICE")  # the requester may decide: no error


@pytest.mark.parametrize("text", ["S0FINANCE ", "S0FINANCE>", "S0FIN-ANCE", "xS0FINANCE", "S0"])
def test_only_a_whole_usergroup_id_is_a_usergroup(text: str) -> None:
    assert not is_usergroup_id(text)
    with pytest.raises(InvalidRequestError, match=r"policy\.approvers"):
        Policy(approvers=(text,))


def test_an_id_named_twice_is_one_approver() -> None:
    policy = Policy(approvers=("U0BOB", "U0CAROL", "U0BOB"), viewers=("U0EVE", "U0EVE"))

    assert (policy.approvers, policy.viewers) == (("U0BOB", "U0CAROL"), ("U0EVE",))
