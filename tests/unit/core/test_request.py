"""A request is validated when it is made: every bad input is refused, naming its field."""

from __future__ import annotations

from typing import Any

import pytest

from greenlight.core import (
    Amount,
    ApprovalRequest,
    AutoApprove,
    Channel,
    InvalidRequestError,
    Link,
    Tiers,
)
from greenlight.core.request import MAX_CONTEXT_BYTES, MAX_DESCRIPTION, MAX_LINKS


def make(**changes: Any) -> ApprovalRequest:
    return ApprovalRequest(**({"title": "Deploy api v2.3", "requester_id": "U0ALICE"} | changes))


def test_a_full_request_is_accepted_and_stored_without_its_context() -> None:
    request = make(
        description="*3 commits*",
        fields=[("Service", "api")],
        links=[Link("Diff", "https://example.com/diff")],
        amount=Amount(125_000, "EUR"),
        context={"version": "v2.3", "steps": [1, 2]},
        reference="deploy-42",
    )

    assert request.fields == (("Service", "api"),)  # lists become tuples
    stored = request.to_dict()
    assert "context" not in stored  # the context stays with the workflow
    assert ApprovalRequest.from_dict(stored) == make(
        description="*3 commits*",
        fields=(("Service", "api"),),
        links=(Link("Diff", "https://example.com/diff"),),
        amount=Amount(125_000, "EUR"),
        reference="deploy-42",
    )


def test_a_record_written_by_the_previous_release_is_read() -> None:
    old = {
        "reference": "ord-1",
        "title": "Order ord-1",
        "requester_id": "U0ALICE",
        "amount_cents": 125_000,
        "currency": "EUR",
        "fields": [["Customer", "Acme"]],
    }

    request = ApprovalRequest.from_dict(old)

    assert (request.amount, request.reference) == (Amount(125_000, "EUR"), "ord-1")
    assert request.to_dict() == old  # and written back the same way


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 151}, "title"),
        ({"requester_id": "alice"}, "requester_id"),
        ({"description": "x" * (MAX_DESCRIPTION + 1)}, "description"),
        ({"fields": (("Only a label",),)}, "fields"),
        ({"fields": (("", "value"),)}, "fields"),
        ({"fields": (("Count", 3),)}, "fields"),
        ({"fields": tuple((f"f{i}", "v") for i in range(11))}, "fields"),
        ({"links": ("https://example.com",)}, "links"),
        ({"links": (Link("l", "https://e.com"),) * (MAX_LINKS + 1)}, "links"),
        ({"amount": 1250}, "amount"),
        ({"reference": ""}, "reference"),
        ({"context": {"when": object()}}, "context"),
        ({"context": {"nan": float("nan")}}, "context"),
        ({"context": ("a", "tuple")}, "context"),
        ({"context": {1: "int key"}}, "context"),
        ({"context": "x" * MAX_CONTEXT_BYTES}, "context"),
    ],
)
def test_bad_input_is_refused_naming_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        make(**changes)

    assert refused.value.field == field


@pytest.mark.parametrize(
    ("label", "url"),
    [
        ("", "https://example.com"),
        ("x" * 76, "https://example.com"),
        ("Diff", "ftp://example.com"),
        ("Diff", "javascript:alert(1)"),
        ("Diff", "https://example.com/a b"),
        ("Diff", "https://example.com/|forged"),
        ("Diff", "https://example.com/>"),
        ("Diff", "https://example.com/" + "p" * 500),
    ],
)
def test_links_must_be_plain_http_urls_with_a_label(label: str, url: str) -> None:
    with pytest.raises(InvalidRequestError, match="invalid links"):
        Link(label, url)


@pytest.mark.parametrize(
    ("cents", "currency"),
    [(-1, "EUR"), (True, "EUR"), (1, "eur"), (1, ""), (1, "EUR\n"), (1, None)],
)
def test_amounts_are_whole_non_negative_with_a_currency_code(cents: Any, currency: str) -> None:
    with pytest.raises(InvalidRequestError, match="invalid amount"):
        Amount(cents, currency)


@pytest.mark.parametrize(
    "kwargs", [{"id": "#deploys"}, {"id": "C0DEPLOYS", "escalation_channel": "oncall"}]
)
def test_a_channel_route_takes_channel_ids_only(kwargs: dict[str, str]) -> None:
    with pytest.raises(InvalidRequestError, match="is not a Slack channel id"):
        Channel(**kwargs)


@pytest.mark.parametrize("context", [None, 0, "", [], {}, {"nested": [None, 1.5, "x"]}])
def test_every_json_safe_context_is_accepted_none_included(context: Any) -> None:
    assert make(context=context).context == context


@pytest.mark.parametrize(
    ("cents", "currency", "shown"),
    [
        (125_000, "EUR", "1,250.00 EUR"),
        (5, "USD", "0.05 USD"),
        (125_000, "JPY", "125,000 JPY"),  # ISO 4217 minor unit 0: the yen itself
        (1_000_000, "KRW", "1,000,000 KRW"),
        (5_000, "ISK", "5,000 ISK"),
        (1_250_500, "KWD", "1,250.500 KWD"),  # minor unit 3: fils
        (7, "BHD", "0.007 BHD"),
        (12_345, "CLF", "1.2345 CLF"),  # minor unit 4
        (0, "VND", "0 VND"),
    ],
)
def test_an_amount_is_shown_in_its_currencys_minor_unit(
    cents: int, currency: str, shown: str
) -> None:
    assert Amount(cents, currency).text == shown


def test_a_tier_limit_is_worded_in_the_tiers_currency() -> None:
    def tiers(currency: str) -> Tiers:
        return Tiers(
            auto_approve_below_cents=10_000,
            dual_approval_above_cents=100_000,
            currency=currency,
            approvers=frozenset({"U0BOB", "U0CAROL"}),
        )

    assert tiers("JPY").choose(Amount(9_999, "JPY")) == AutoApprove("9,999 JPY is below 10,000 JPY")
    assert tiers("KWD").choose(Amount(9_999, "KWD")) == AutoApprove("9.999 KWD is below 10.000 KWD")
