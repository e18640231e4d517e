"""A container's init runs with the collector off and leaves what it made frozen, the collector
back on, even when the init fails."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from typing import TYPE_CHECKING

import pytest

from greenlight.webhook.collector import collector_paused

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    """Each test starts with nothing frozen and gives back what it froze, collector on."""
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.enable()


class Node:
    """An object in a cycle: only the collector can free it."""

    def __init__(self) -> None:
        self.me = self


def test_the_block_runs_with_the_collector_off_and_what_it_made_is_frozen() -> None:
    with collector_paused():
        inside = gc.isenabled()
        made = [Node() for _ in range(1000)]

    assert inside is False
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(made)
    assert all(not gc.is_finalized(node) for node in made)


def test_a_failed_init_leaves_the_collector_on() -> None:
    with pytest.raises(RuntimeError, match="no secret"), collector_paused():
        raise RuntimeError("no secret")

    assert gc.isenabled()


def test_a_caller_running_with_the_collector_off_keeps_it_off() -> None:
    gc.disable()
    with collector_paused():
        pass

    assert not gc.isenabled()


def test_frozen_objects_are_left_out_of_later_collections() -> None:
    # Garbage made during init is frozen with the rest: a full collection no longer walks it,
    # so it stays; garbage made after init is freed as usual
    with collector_paused():
        during = weakref.ref(Node())  # unreachable at once; the collector is off
    after = weakref.ref(Node())

    gc.collect()

    assert during() is not None
    assert after() is None


def test_the_real_entry_points_import_with_the_collector_paused_then_on() -> None:
    # A fresh interpreter, as a container: the module's import leaves the collector on and
    # its init frozen. Settings are missing here, so the import fails as a misconfigured
    # container's does, and even then the collector is back on.
    probe = (
        "import gc\n"
        "try:\n"
        "    import greenlight.webhook.handler\n"
        "except Exception as err:\n"
        "    print(type(err).__name__)\n"
        "print(gc.isenabled(), gc.get_freeze_count() > 10_000)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip

    assert done.stdout.split() == ["ConfigError", "True", "True"]
