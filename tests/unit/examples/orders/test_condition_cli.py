"""Why set-condition.sh was refused, from the item as `aws dynamodb get-item` prints it."""

from __future__ import annotations

from examples.orders.condition_cli import refusal


def test_an_expired_review_names_what_happened_to_the_order() -> None:
    item = {
        "Item": {
            "order_id": {"S": "ord-7"},
            "status": {"S": "expired"},
            "outcome": {"S": "review_timed_out"},
            "closed_at": {"S": "2026-11-29T23:00:00+00:00"},
        }
    }

    text = refusal("ord-7", "cleared", item)

    assert text == (
        "order ord-7 is no longer waiting on a review: the workflow gave up at "
        "2026-11-29T23:00:00+00:00 because it was not reviewed in time, and its saga undoes the "
        "order (payment refunded, reservations released; operators are alerted if an undo "
        "fails); 'cleared' was not recorded, nothing changed"
    )


def test_an_unreadable_review_says_so() -> None:
    item = {"Item": {"status": {"S": "expired"}, "outcome": {"S": "review_unavailable"}}}

    assert "because its review could not be read" in refusal("ord-7", "failed", item)


def test_a_settled_review_names_its_verdict() -> None:
    item = {"Item": {"order_id": {"S": "ord-7"}, "status": {"S": "cleared"}}}

    assert refusal("ord-7", "failed", item) == (
        "order ord-7 is not waiting on a review: it was already settled as 'cleared'; "
        "nothing changed"
    )


def test_an_unknown_order_is_named_as_such() -> None:
    assert refusal("ord-x", "cleared", {}) == (
        "order ord-x is not waiting on a review (unknown order); nothing changed"
    )
