"""The whole local stack, started once per session on free loopback ports in a temp folder."""

from __future__ import annotations

import io
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


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackConfig]:
    root: Path = tmp_path_factory.mktemp("stack")
    config = StackConfig(root=root, ports={part: free_port() for part in DEFAULT_PORTS})
    try:
        stack.start(config, out=io.StringIO())
        yield config
    finally:
        stack.stop(config)
