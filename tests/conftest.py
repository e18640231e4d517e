"""The whole local stack, started once per session on free loopback ports in a temp folder."""

from __future__ import annotations

import io
import os
import socket
from typing import TYPE_CHECKING

import pytest

from localdev import stack
from localdev.config import DEFAULT_PORTS, StackConfig

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# The dual tier (above 10,000.00 EUR) climbs its ladder in seconds here: remind at 1 s,
# escalate to frank at 2 s, expire at 6 s. The single tier keeps the default day.
LADDER_DUAL = "1,2,6"
DUAL_AMOUNT = 2_000_000


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackConfig]:
    root: Path = tmp_path_factory.mktemp("stack")
    config = StackConfig(root=root, ports={part: free_port() for part in DEFAULT_PORTS})
    saved = os.environ.get("LADDER_DUAL")
    os.environ["LADDER_DUAL"] = LADDER_DUAL
    try:
        stack.start(config, out=io.StringIO())
        yield config
    finally:
        stack.stop(config)
        if saved is None:
            os.environ.pop("LADDER_DUAL", None)
        else:
            os.environ["LADDER_DUAL"] = saved
