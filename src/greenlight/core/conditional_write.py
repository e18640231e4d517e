"""A conditional update of one stored item, as plain data: sent to DynamoDB, or run in memory.

A vote's write (`vote_write.py`) is a condition (who may vote, whether it is still pending, how
many approvals are missing) and a few SET actions. Written as DynamoDB expression strings, the
rule could only be run by DynamoDB, and an in-memory store would have to restate it in Python:
two copies of one rule that drift. Written as this data, the same value is rendered to
`UpdateItem` arguments (`arguments`) for the DynamoDB store and evaluated on a plain item
(`apply`) by the in-memory one, so both stores apply the one rule.

`apply` follows DynamoDB's semantics for the parts used here (developer guide,
Expressions.OperatorsAndFunctions.html and Expressions.UpdateExpressions.html):
- a comparison with a missing attribute, or with a value of another type, is false;
  `contains(list, v)` tests for an element, `contains(string, s)` for a substring;
- every operand of the update reads the item as it was before the update;
- `a = a + n` and `list_append(a, b)` on a missing attribute, and a nested path whose parent is
  not a map, are errors (DynamoDB's `ValidationException`), not silent writes;
- a condition that holds on a missing item creates it (a vote's never does: it needs a status).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

Path = tuple[str, ...]  # attribute names from the top of the item down, e.g. ("votes", "U0BOB")


@dataclass(frozen=True, slots=True)
class Equals:
    """`path = value`."""

    path: Path
    value: Any


@dataclass(frozen=True, slots=True)
class Greater:
    """`path > value`: numbers by value, strings by their UTF-8 bytes (ISO-8601 times of one
    format compare as the times do)."""

    path: Path
    value: int | str


@dataclass(frozen=True, slots=True)
class Contains:
    """`contains(path, value)`: an element of a list or set, or a substring of a string."""

    path: Path
    value: Any


@dataclass(frozen=True, slots=True)
class Excludes:
    """`NOT contains(path, value)` on an attribute that exists (rendered with
    `attribute_exists`): a list or set without `value`, a string without it as a substring, or
    any other type (which `contains` never holds for); a missing attribute fails it, as a
    missing attribute fails `contains`."""

    path: Path
    value: Any


@dataclass(frozen=True, slots=True)
class Differs:
    """`path <> value`; a missing attribute holds it (as the local DynamoDB answers:
    tests/contract/store/test_conditional_write.py)."""

    path: Path
    value: Any


@dataclass(frozen=True, slots=True)
class Missing:
    """`attribute_not_exists(path)`."""

    path: Path


Condition = Equals | Greater | Contains | Excludes | Differs | Missing


@dataclass(frozen=True, slots=True)
class Assign:
    """`SET path = value`."""

    path: Path
    value: Any


@dataclass(frozen=True, slots=True)
class Add:
    """`SET path = path + amount` (the attribute must exist)."""

    path: Path
    amount: int


@dataclass(frozen=True, slots=True)
class Append:
    """`SET path = list_append(source, values)` (the source list must exist)."""

    path: Path
    source: Path
    values: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Remove:
    """`REMOVE path` (nothing happens if it is not there)."""

    path: Path


Action = Assign | Add | Append | Remove


class InvalidUpdateError(ValueError):
    """The update cannot apply to this item (DynamoDB answers `ValidationException`)."""


@dataclass(frozen=True, slots=True)
class ConditionalUpdate:
    """Every condition must hold; then every action applies, all at once, or none does.

    No conditions is an update that always applies (rendered without a `ConditionExpression`:
    DynamoDB refuses an empty one, "Invalid ConditionExpression: The expression can not be
    empty;"); no actions is refused when built, since DynamoDB refuses an empty
    `UpdateExpression` likewise and a write that changes nothing is a caller's mistake.
    """

    conditions: tuple[Condition, ...]
    actions: tuple[Action, ...]

    def __post_init__(self) -> None:
        if not self.actions:
            raise InvalidUpdateError("an update with no action changes nothing")

    def arguments(self, *, in_transaction: bool = False) -> dict[str, Any]:
        """`UpdateItem` arguments (without table and key), plain values for a boto3 Table.

        Alone, `ReturnValues=ALL_NEW` answers with the item after the update and
        `ReturnValuesOnConditionCheckFailure=ALL_OLD` a refusal with the item that refused it,
        as `apply` does. In a transaction (`TransactWriteItems`' `Update`, which takes no
        `ReturnValues`) the update is the same and answers nothing.

        An empty part is left out, not sent empty: DynamoDB refuses an empty
        `ConditionExpression` and an empty `ExpressionAttributeValues` (an update with no
        conditions; one whose actions are all REMOVE and whose conditions name no value).
        """
        render = _Renderer()
        conditions = [render.condition(c) for c in self.conditions]
        sets = [render.action(a) for a in self.actions if not isinstance(a, Remove)]
        removes = [render.path(a.path) for a in self.actions if isinstance(a, Remove)]
        clauses = [f"SET {', '.join(sets)}"] if sets else []
        clauses += [f"REMOVE {', '.join(removes)}"] if removes else []
        arguments: dict[str, Any] = {
            "UpdateExpression": " ".join(clauses),
            "ExpressionAttributeNames": render.names,  # never empty: every action has a path
        }
        if conditions:
            arguments["ConditionExpression"] = " AND ".join(conditions)
        if render.values:
            arguments["ExpressionAttributeValues"] = render.values
        if in_transaction:
            return arguments
        return arguments | {
            "ReturnValues": "ALL_NEW",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }

    def holds(self, item: dict[str, Any] | None) -> bool:
        """Whether every condition holds on `item` (None: no such item)."""
        found = item or {}
        return all(_holds(c, found) for c in self.conditions)

    def apply(self, item: dict[str, Any] | None, key: dict[str, Any]) -> dict[str, Any] | None:
        """The item after the update, or None when a condition refused it (nothing changes).

        `item` is not modified. `key` starts the item if there is none and the conditions hold.

        Raises:
            InvalidUpdateError: an action cannot apply to this item.
        """
        if not self.holds(item):
            return None
        before = item or {}
        resolved = [(a.path, _value(a, before)) for a in self.actions]  # read, then write
        after = copy.deepcopy(before) | copy.deepcopy(key)
        for path, value in resolved:
            parent = _parent(after, path)
            if value is _ABSENT:
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = copy.deepcopy(value)
        return after


_ABSENT = object()


def _get(item: dict[str, Any], path: Path) -> Any:
    node: Any = item
    for name in path:
        if not isinstance(node, dict) or name not in node:
            return _ABSENT
        node = node[name]
    return node


def _same_type(a: Any, b: Any) -> bool:
    number = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    if isinstance(a, number) and isinstance(b, number):
        return True
    return type(a) is type(b)


def _holds(condition: Condition, item: dict[str, Any]) -> bool:
    found = _get(item, condition.path)
    if isinstance(condition, Missing):
        return found is _ABSENT
    if isinstance(condition, Differs):  # nothing differs from any value
        return found is _ABSENT or not (
            _same_type(found, condition.value) and bool(found == condition.value)
        )
    if found is _ABSENT:
        return False
    if isinstance(condition, Equals):
        return _same_type(found, condition.value) and bool(found == condition.value)
    if isinstance(condition, Greater):
        return _same_type(found, condition.value) and bool(found > condition.value)
    return _holds_otherwise(condition, found)


def _holds_otherwise(condition: Contains | Excludes, found: Any) -> bool:
    if isinstance(condition, Excludes):
        return not _contains(found, condition.value)
    return _contains(found, condition.value)


def _contains(found: Any, value: Any) -> bool:
    if isinstance(found, str):
        return isinstance(value, str) and value in found
    return isinstance(found, list | set | frozenset) and value in found


def _value(action: Action, item: dict[str, Any]) -> Any:
    if isinstance(action, Remove):
        return _ABSENT
    if isinstance(action, Assign):
        return action.value
    if isinstance(action, Add):
        found = _get(item, action.path)
        if found is _ABSENT or not _same_type(found, action.amount):
            raise InvalidUpdateError(f"{'.'.join(action.path)}: not a number to add to")
        return found + action.amount
    found = _get(item, action.source)
    if not isinstance(found, list):
        raise InvalidUpdateError(f"{'.'.join(action.source)}: not a list to append to")
    return [*found, *action.values]


def _parent(item: dict[str, Any], path: Path) -> dict[str, Any]:
    node: Any = item
    for name in path[:-1]:
        node = node.get(name) if isinstance(node, dict) else None
    if not isinstance(node, dict):
        raise InvalidUpdateError(f"{'.'.join(path)}: the document path is not a map")
    return node


class _Renderer:
    """Placeholders for names (`#n0`, …) and values (`:v0`, …), so no attribute name (a user
    id, a reserved word such as `status`) appears in an expression itself."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        self._by_name: dict[str, str] = {}

    def path(self, path: Path) -> str:
        parts = []
        for name in path:
            if name not in self._by_name:
                placeholder = f"#n{len(self._by_name)}"
                self._by_name[name] = placeholder
                self.names[placeholder] = name
            parts.append(self._by_name[name])
        return ".".join(parts)

    def value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = value
        return placeholder

    def condition(self, condition: Condition) -> str:
        path = self.path(condition.path)
        if isinstance(condition, Missing):
            return f"attribute_not_exists({path})"
        if isinstance(condition, Contains):
            return f"contains({path}, {self.value(condition.value)})"
        if isinstance(condition, Excludes):
            value = self.value(condition.value)
            return f"(attribute_exists({path}) AND NOT contains({path}, {value}))"
        operator = {Equals: "=", Greater: ">", Differs: "<>"}[type(condition)]
        return f"{path} {operator} {self.value(condition.value)}"

    def action(self, action: Assign | Add | Append) -> str:
        path = self.path(action.path)
        if isinstance(action, Assign):
            return f"{path} = {self.value(action.value)}"
        if isinstance(action, Add):
            return f"{path} = {path} + {self.value(action.amount)}"
        values = self.value(list(action.values))
        return f"{path} = list_append({self.path(action.source)}, {values})"
