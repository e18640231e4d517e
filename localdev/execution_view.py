"""An approval's workflow as the page shows it: status and history, read from the runner."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from localdev.click import store_for
from localdev.demo import history, lambda_client

if TYPE_CHECKING:
    from collections.abc import Callable

    from localdev.config import StackConfig


def execution_view(config: StackConfig) -> Callable[[str], dict[str, Any]]:
    """A function from approval id to its execution's status and events (oldest first)."""
    store = store_for(config)
    runner = lambda_client(config)

    def view(approval_id: str) -> dict[str, Any]:
        arn = store.get(approval_id).execution_arn
        execution = runner.get_durable_execution(DurableExecutionArn=arn)
        events = history(config, arn)
        started = {e["Id"] for e in events if e["EventType"] == "CallbackStarted"}
        closed = {
            e["Id"]
            for e in events
            if e["EventType"] in ("CallbackSucceeded", "CallbackFailed", "CallbackTimedOut")
        }
        return {
            "status": execution["Status"],
            "waiting_on_callback": execution["Status"] == "RUNNING" and bool(started - closed),
            "events": [
                {"type": e["EventType"], "name": e.get("Name"), "at": e["EventTimestamp"]}
                for e in events
            ],
        }

    return view
