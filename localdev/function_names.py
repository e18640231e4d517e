"""Names at the local Lambda endpoint: function references in Lambda's forms, execution names.

Function names follow the model's `NamespacedFunctionName` (name, partial ARN or full ARN, each
with an optional qualifier); execution names are unique per function, as on Lambda (the local
runner does not enforce that itself), and kept on disk so a restarted host still refuses a
reused name with another input. Two functions may each have an execution of the same name.
"""

from __future__ import annotations

import json
import re
import threading
from typing import TYPE_CHECKING

from localdev.execution_arns import ACCOUNT_ID, REGION
from localdev.lambda_model import pattern

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

_FUNCTION_REF = re.compile(
    r"(?:arn:aws:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):function:"
    r"|(?P<partial>\d{12}):function:)?(?P<name>[A-Za-z0-9_.-]+)(?::(?P<qualifier>[A-Za-z0-9$._-]+))?"
)


class ExecutionNames:
    """Execution names already used, per function, kept on disk so a restarted host still
    refuses repeats. Entries are keyed `function/name` (a function name has no `/`)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._names: dict[str, dict[str, str]] = (
            json.loads(path.read_text()) if path.exists() else {}
        )

    def claim(
        self, function: str, name: str, digest: str, start: Callable[[], str], invoked: str = ""
    ) -> tuple[str, bool]:
        """The runner ARN for `function`'s execution `name`: started now, or the one started
        before with the same input. `invoked` (the function ARN the start was invoked with) is
        kept with a new execution: Lambda reports it as the execution's `FunctionArn`.

        Raises:
            ValueError: the name was used before, for this function, with a different input.
        """
        key = f"{function}/{name}"
        with self._lock:
            known = self._names.get(key)
            if known:
                if known["input"] != digest:
                    raise ValueError(name)
                return known["arn"], False
            arn = start()
            self._names[key] = {"arn": arn, "input": digest, "invoked": invoked}
            self._path.write_text(json.dumps(self._names))
            return arn, True

    def invoked(self, function: str, name: str) -> str | None:
        """The function ARN `function`'s execution `name` was started with, if known."""
        with self._lock:
            known = self._names.get(f"{function}/{name}")
        return (known or {}).get("invoked") or None


def function_arn(name: str) -> str:
    """The unqualified ARN of a local function, as Lambda writes it in messages."""
    return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"


def split_function(label: str) -> tuple[str, str | None] | None:
    """(name, qualifier) of a FunctionName in any of Lambda's forms; None when it names another
    region or account, or matches no form the model allows."""
    found = _FUNCTION_REF.fullmatch(label)
    if not found or not pattern("NamespacedFunctionName").fullmatch(label):
        return None
    if found["region"] and (found["region"], found["account"]) != (REGION, ACCOUNT_ID):
        return None
    if found["partial"] and found["partial"] != ACCOUNT_ID:
        return None
    return found["name"], found["qualifier"]
