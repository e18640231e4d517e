"""Approval ids: what the buttons carry, and what IAM holds each requester to."""

from __future__ import annotations

import pytest

from greenlight.core.buttons import (
    approval_id_for,
    labelled,
    new_approval_id,
    parse_approval_id,
)
from greenlight.core.errors import InvalidRequestError


def test_new_ids_have_128_random_bits_and_parse_back() -> None:
    ids = {new_approval_id() for _ in range(1000)}

    assert len(ids) == 1000
    assert all(parse_approval_id(i) == i for i in ids)


def test_an_id_derived_from_a_callback_is_stable_distinct_and_parses_back() -> None:
    callbacks = [f"eyJhcm4iOi{n:04d}opaque-callback-id" for n in range(1000)]

    ids = [approval_id_for(c) for c in callbacks]

    assert ids == [approval_id_for(c) for c in callbacks]  # the same on every retry
    assert len(set(ids)) == len(callbacks)
    assert all(parse_approval_id(i) == i for i in ids)
    assert not any(c[:8] in i for c, i in zip(callbacks, ids, strict=True))


def test_a_requesters_ids_are_led_by_its_label_and_parse_back() -> None:
    plain = approval_id_for("eyJhcm4iOiJhcm46YXdzOmxhbWJkYSJ9-a-callback")

    mine = approval_id_for("eyJhcm4iOiJhcm46YXdzOmxhbWJkYSJ9-a-callback", "pay-eu")

    assert mine == f"pay-eu.{plain}"  # the same 128 bits, so a replay finds its record
    assert parse_approval_id(mine) == mine
    fresh = labelled("orders", new_approval_id())
    assert fresh.startswith("orders.")
    assert parse_approval_id(fresh) == fresh
    assert parse_approval_id(labelled("o" * 40, plain)) == "o" * 40 + "." + plain


@pytest.mark.parametrize("label", ["", "Pay", "pay.eu", "pay eu", "o" * 41, "pay/eu", "pay\n"])
def test_a_label_grant_requester_would_refuse_makes_no_id(label: str) -> None:
    with pytest.raises(InvalidRequestError, match="not a requester label"):
        approval_id_for("a-callback", label)


ID = "cLl4lXQuTsh-z4WfxE36zw"


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "short",
        "x" * 23,
        "../../etc/passwd....",
        42,
        "a" * 21 + "!",
        ID + "\n",  # `$` would have let a trailing newline through
        f"Pay.{ID}",
        f".{ID}",
        f"a.b.{ID}",
        f"{'o' * 41}.{ID}",
        f"orders.{ID}x",
        f"orders:{ID}",
    ],
)
def test_anything_else_is_not_an_approval_id(value: object) -> None:
    with pytest.raises(InvalidRequestError):
        parse_approval_id(value)
