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
        currency="EUR",
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
        Tiers(
            auto_approve_below_cents=-1,
            dual_approval_above_cents=-5,
            currency="euro",
            approvers=frozenset({"x"}),
        )

    assert len(caught.value.problems) == 4  # negative, below the other, currency, not an id


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


# Tiers are stated in one currency (found by review: thresholds were compared with
# `Amount.cents` whatever the currency, so "below 1,000.00 EUR" auto-approved 99,999 JPY)

EUR_TIERS = Tiers(
    auto_approve_below_cents=100_000,  # 1,000.00 EUR
    dual_approval_above_cents=1_000_000,  # 10,000.00 EUR
    currency="EUR",
    approvers=APPROVERS,
)


@pytest.mark.parametrize(
    ("currency", "auto_below", "dual_above"),
    [
        ("EUR", 100_000, 1_000_000),  # 1,000.00 and 10,000.00 EUR: two decimals
        ("JPY", 100_000, 1_000_000),  # 100,000 and 1,000,000 JPY: no minor unit
        ("KWD", 300_000, 3_000_000),  # 300.000 and 3,000.000 KWD: three decimals
    ],
)
def test_an_amount_in_the_tiers_currency_gets_its_tier_at_below_and_above_each_threshold(
    currency: str, auto_below: int, dual_above: int
) -> None:
    stated = Tiers(
        auto_approve_below_cents=auto_below,
        dual_approval_above_cents=dual_above,
        currency=currency,
        approvers=APPROVERS,
    )

    def tier(cents: int) -> Tier:
        return stated.tier(Amount(cents, currency))

    assert [tier(0), tier(auto_below - 1)] == [Tier.AUTO, Tier.AUTO]
    assert [tier(auto_below), tier(auto_below + 1)] == [Tier.SINGLE, Tier.SINGLE]
    assert [tier(dual_above - 1), tier(dual_above)] == [Tier.SINGLE, Tier.SINGLE]
    assert [tier(dual_above + 1), tier(10 * dual_above)] == [Tier.DUAL, Tier.DUAL]
    assert isinstance(stated.choose(Amount(auto_below - 1, currency)), AutoApprove)
    single = stated.choose(Amount(auto_below, currency))
    dual = stated.choose(Amount(dual_above + 1, currency))
    assert isinstance(single, Policy)
    assert isinstance(dual, Policy)
    assert (single.quorum, dual.quorum) == (1, 2)


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Amount(99_999, "KWD"), "99.999 KWD"),  # three decimals: about 300 EUR, not 999.99
        (Amount(99_999, "JPY"), "99,999 JPY"),  # no minor unit
        (Amount(99_999, "IDR"), "999.99 IDR"),  # two decimals, a tiny amount
        (Amount(99_999, "USD"), "999.99 USD"),  # two decimals, a similar amount
        (Amount(0, "USD"), "0.00 USD"),  # nothing at all: still not comparable
        (Amount(5_000_000, "JPY"), "5,000,000 JPY"),  # above the dual threshold's number too
    ],
)
@pytest.mark.parametrize("sensitive", [False, True])
def test_an_amount_in_another_currency_is_refused_naming_both_currencies(
    amount: Amount, shown: str, *, sensitive: bool
) -> None:
    # Never approved automatically and never put in a tier whose threshold it does not share
    for choose in (EUR_TIERS.choose, EUR_TIERS.tier):
        with pytest.raises(InvalidRequestError) as refused:
            choose(amount, sensitive=sensitive)

        assert refused.value.field == "amount.currency"
        assert f"{shown} is in {amount.currency}" in refused.value.problem
        assert "stated in EUR" in refused.value.problem


def test_a_sensitive_request_in_the_tiers_currency_is_put_to_a_person_at_any_amount() -> None:
    below = EUR_TIERS.choose(Amount(1, "EUR"), sensitive=True)
    middle = EUR_TIERS.choose(Amount(500_000, "EUR"), sensitive=True)
    above = EUR_TIERS.choose(Amount(1_000_001, "EUR"), sensitive=True)

    assert isinstance(below, Policy)
    assert isinstance(middle, Policy)
    assert isinstance(above, Policy)
    assert (below.quorum, middle.quorum, above.quorum) == (1, 1, 2)
    assert EUR_TIERS.tier(Amount(99_999, "EUR"), sensitive=True) is Tier.SINGLE


@pytest.mark.parametrize(
    ("currency", "amount", "reason"),
    [
        ("EUR", Amount(99_999, "EUR"), "999.99 EUR is below 1,000.00 EUR"),
        ("JPY", Amount(99_999, "JPY"), "99,999 JPY is below 100,000 JPY"),
        ("KWD", Amount(99_999, "KWD"), "99.999 KWD is below 100.000 KWD"),
        ("CLF", Amount(0, "CLF"), "0.0000 CLF is below 10.0000 CLF"),
    ],
)
def test_the_automatic_approvals_reason_states_the_limit_in_the_tiers_currency(
    currency: str, amount: Amount, reason: str
) -> None:
    stated = Tiers(
        auto_approve_below_cents=100_000,
        dual_approval_above_cents=1_000_000,
        currency=currency,
        approvers=APPROVERS,
    )

    assert stated.choose(amount) == AutoApprove(reason)


@pytest.mark.parametrize(
    "currency", ["eur", "EURO", "EU", "", " EUR", "EUR\n", "€", "978", None, 978]
)
def test_tiers_refuse_a_currency_that_is_not_a_three_letter_iso_code(currency: Any) -> None:
    with pytest.raises(ConfigError) as refused:
        Tiers(
            auto_approve_below_cents=100_000,
            dual_approval_above_cents=1_000_000,
            currency=currency,
            approvers=APPROVERS,
        )

    assert refused.value.problems == (
        f"currency must be a three-letter ISO code like EUR, got {currency!r}",
    )


def test_tiers_cannot_be_stated_without_a_currency() -> None:
    with pytest.raises(TypeError, match="currency"):
        Tiers(  # type: ignore[call-arg]
            auto_approve_below_cents=100_000,
            dual_approval_above_cents=1_000_000,
            approvers=APPROVERS,
        )


def test_the_threshold_problems_state_the_limits_in_the_tiers_currency() -> None:
    with pytest.raises(ConfigError) as refused:
        Tiers(
            auto_approve_below_cents=100_000,
            dual_approval_above_cents=99_999,
            currency="KWD",
            approvers=APPROVERS,
        )

    assert refused.value.problems == (
        "the dual-approval threshold (99.999 KWD) must not be below the auto-approve one"
        " (100.000 KWD)",
    )


@pytest.mark.parametrize("threshold", ["100000", 1000.0, True, None])
def test_tiers_refuse_a_threshold_that_is_not_a_whole_number(threshold: Any) -> None:
    with pytest.raises(ConfigError) as refused:
        Tiers(
            auto_approve_below_cents=threshold,
            dual_approval_above_cents=1_000_000,
            currency="EUR",
            approvers=APPROVERS,
        )

    assert refused.value.problems == (
        "the auto-approve threshold must be a whole number of the currency's minor unit",
    )


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
