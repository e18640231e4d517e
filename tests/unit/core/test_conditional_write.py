"""A conditional update evaluated in memory as DynamoDB evaluates it, and rendered for it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greenlight.core.conditional_write import (
    Add,
    Append,
    Assign,
    ConditionalUpdate,
    Contains,
    Equals,
    Greater,
    InvalidUpdateError,
    Missing,
    Remove,
)

KEY = {"id": "a1"}
ITEM = {
    "id": "a1",
    "status": "pending",
    "n": 2,
    "ids": ["U1", "U2"],
    "votes": {},
    "note": "abc",
    "flag": True,
}
SET_N = (Assign(("n",), 7),)  # an action, for the tests that only ask whether conditions hold


def test_a_comparison_with_a_missing_attribute_or_another_type_is_false() -> None:
    for condition in (
        Equals(("absent",), 1),
        Greater(("absent",), 1),
        Contains(("absent",), "U1"),
        Equals(("n",), "2"),  # a number is not a string
        Equals(("flag",), 1),  # nor a boolean (DynamoDB compares typed values)
        Greater(("status",), 1),
    ):
        assert not ConditionalUpdate((condition,), SET_N).holds(ITEM), condition
    assert ConditionalUpdate((Missing(("absent",)),), SET_N).holds(ITEM)
    assert not ConditionalUpdate((Missing(("status",)),), SET_N).holds(ITEM)


def test_contains_finds_a_list_element_or_a_substring() -> None:
    assert ConditionalUpdate((Contains(("ids",), "U2"),), SET_N).holds(ITEM)
    assert not ConditionalUpdate((Contains(("ids",), "U3"),), SET_N).holds(ITEM)
    assert ConditionalUpdate((Contains(("note",), "bc"),), SET_N).holds(ITEM)


def test_a_refused_update_changes_nothing_and_answers_none() -> None:
    update = ConditionalUpdate((Equals(("status",), "approved"),), (Assign(("n",), 9),))
    assert update.apply(ITEM, KEY) is None
    assert ITEM["n"] == 2


def test_every_operand_reads_the_item_before_the_update() -> None:
    update = ConditionalUpdate(
        (Greater(("n",), 1),),
        (
            Append(("ids",), ("ids",), ("U3",)),
            Append(("copy",), ("ids",), ()),
            Add(("n",), -1),
            Assign(("votes", "U3"), {"decision": "approve"}),
            Remove(("note",)),
        ),
    )
    after = update.apply(ITEM, KEY)
    assert after is not None
    assert after["ids"] == ["U1", "U2", "U3"]
    assert after["copy"] == ["U1", "U2"]  # list_append read `ids` before it changed
    assert (after["n"], after["votes"], "note" in after) == (
        1,
        {"U3": {"decision": "approve"}},
        False,
    )
    assert ITEM["ids"] == ["U1", "U2"]  # the stored item is not touched


@pytest.mark.parametrize(
    "action",
    [
        Add(("absent",), 1),
        Append(("x",), ("absent",), ("U1",)),
        Assign(("absent", "x"), 1),
        Assign(("note", "x"), 1),  # under a string, not a map
        Add(("note",), 1),
        Add(("flag",), 1),  # a boolean is not a number
        Append(("x",), ("note",), ("U1",)),
    ],
)
def test_an_action_that_cannot_apply_is_an_error_not_a_silent_write(action: object) -> None:
    update = ConditionalUpdate((), (action,))  # type: ignore[arg-type]  # each is an Action
    with pytest.raises(InvalidUpdateError):
        update.apply(ITEM, KEY)


def test_a_condition_that_holds_on_no_item_creates_it_and_one_that_needs_a_value_does_not() -> None:
    creating = ConditionalUpdate((Missing(("id",)),), (Assign(("n",), 1),))
    assert creating.apply(None, KEY) == {"id": "a1", "n": 1}
    assert ConditionalUpdate((Equals(("status",), "pending"),), SET_N).apply(None, KEY) is None


def test_the_rendering_names_every_attribute_and_value_by_placeholder() -> None:
    update = ConditionalUpdate(
        (Equals(("status",), "pending"), Missing(("votes", "U1"))),
        (Assign(("votes", "U1"), {"d": 1}), Add(("n",), 1), Remove(("note",))),
    )
    arguments = update.arguments(in_transaction=True)
    assert arguments["ConditionExpression"] == "#n0 = :v0 AND attribute_not_exists(#n1.#n2)"
    assert arguments["UpdateExpression"] == "SET #n1.#n2 = :v1, #n3 = #n3 + :v2 REMOVE #n4"
    assert arguments["ExpressionAttributeNames"] == {
        "#n0": "status",
        "#n1": "votes",
        "#n2": "U1",
        "#n3": "n",
        "#n4": "note",
    }
    assert arguments["ExpressionAttributeValues"] == {":v0": "pending", ":v1": {"d": 1}, ":v2": 1}
    assert "ReturnValues" not in arguments


# DynamoDB refuses an empty expression or expression map rather than reading it as "none":
# "Invalid ConditionExpression: The expression can not be empty;", "Invalid UpdateExpression:
# The expression can not be empty;", "ExpressionAttributeValues must not be empty"
# (architect/dynalite test/updateItem.js, a suite written to DynamoDB's own answers). moto 5.2.5
# accepts the empty ConditionExpression, so this rendering is checked here, and the empty map on
# moto (tests/contract/store/test_conditional_write.py, "remove with no condition").
@pytest.mark.parametrize("in_transaction", [False, True])
def test_an_update_without_conditions_is_sent_without_a_condition_expression(
    in_transaction: bool,
) -> None:
    update = ConditionalUpdate((), (Remove(("note",)),))

    arguments = update.arguments(in_transaction=in_transaction)

    assert "ConditionExpression" not in arguments
    assert "ExpressionAttributeValues" not in arguments  # a REMOVE names no value
    assert arguments["UpdateExpression"] == "REMOVE #n0"
    assert arguments["ExpressionAttributeNames"] == {"#n0": "note"}
    assert update.apply(ITEM, KEY) == {k: v for k, v in ITEM.items() if k != "note"}


def test_an_update_with_nothing_to_do_cannot_be_built() -> None:
    with pytest.raises(InvalidUpdateError, match="no action"):
        ConditionalUpdate((Equals(("status",), "pending"),), ())


def test_the_item_after_an_update_shares_nothing_with_the_update() -> None:
    # An in-memory store keeps the item it is given: a later change to it (or to the update's
    # values) must not reach the other
    cast = {"decision": "approve", "at": "2026-11-22T12:00:00+00:00"}
    update = ConditionalUpdate((), (Assign(("votes", "U3"), cast),))
    after = update.apply(ITEM, KEY)
    assert after is not None
    after["votes"]["U3"]["decision"] = "reject"
    assert cast["decision"] == "approve"
    assert update.apply(ITEM, KEY) == ITEM | {"votes": {"U3": cast}}


@given(
    st.datetimes(timezones=st.just(UTC), min_value=datetime(2000, 1, 1)),
    st.datetimes(timezones=st.just(UTC), min_value=datetime(2000, 1, 1)),
)
def test_greater_on_utc_iso_times_compares_as_the_times_do(a: datetime, b: datetime) -> None:
    # A vote's deadline check (`expires_at > at`) compares the strings DynamoDB stores; Python
    # writes a UTC time without its microseconds when they are 0, so the two may differ in
    # format ("12:00:00+00:00" and "12:00:00.000001+00:00") and must still order as times
    update = ConditionalUpdate((Greater(("t",), b.isoformat()),), SET_N)
    assert update.holds({"t": a.isoformat()}) is (a > b)
