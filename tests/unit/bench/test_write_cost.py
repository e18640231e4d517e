"""The write-cost benchmark measures the writes ours really sends, each accepted by moto."""

from __future__ import annotations

import re

from bench.write_cost import measure, shapes, table
from localdev import dynamodb_server

PLACEHOLDER = re.compile(r"[#:][A-Za-z0-9_]+")


def test_each_shape_names_exactly_the_placeholders_it_defines() -> None:
    # DynamoDB refuses an unused (or undefined) placeholder, so a mixed shape must carry only
    # what its two expressions use.
    for name, arguments in shapes().items():
        used = set(PLACEHOLDER.findall(
            f"{arguments['UpdateExpression']} {arguments['ConditionExpression']}"
        ))  # fmt: skip
        defined = {*arguments["ExpressionAttributeNames"], *arguments["ExpressionAttributeValues"]}

        assert used == defined, name


def test_every_shape_is_applied_and_ours_costs_moto_more_calls_than_the_floor() -> None:
    # measure() raises if moto refuses any write (each runs on a fresh pending record)
    results = measure(writes=2, warmup=1)

    floor = results["floor: blind approve"]["calls"]
    assert results["ours: approve, deciding (1 of N)"]["calls"] > floor
    assert results["floor's update, ours' condition"]["calls"] > floor
    # the vote, voters (who cast it), version, status, decided_by, decided_at
    assert results["ours: approve, deciding (1 of N)"]["set"] == 6
    assert "| floor: blind approve | 2 | 1 |" in table(results, writes=2)


def test_the_server_is_left_as_it_was() -> None:
    before = dynamodb_server.AtomicApp.__call__

    measure(writes=1, warmup=0)

    assert dynamodb_server.AtomicApp.__call__ is before
