"""Each e2e test on the shared local stack leaves it as it found it: no fault left armed.

A test injects bounded faults (`times: N`) into the fake Slack or the payment provider and
may end before they are all used: a redraw delayed 1 s eight times, of which the test's flow
takes four, left four to slow whichever test ran next, and one rate limit could fail the next
test's timing. So every test that used the stack clears both services' faults afterwards.
"""

from __future__ import annotations

import urllib.request
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from localdev.config import StackConfig


def clear_faults(config: StackConfig) -> None:
    """Disarm every fault of the fake Slack (`DELETE /_faults`) and of the payment provider
    (an empty `POST /_faults`: each POST replaces all its faults)."""
    requests = [
        urllib.request.Request(config.url("slack") + "/_faults", method="DELETE"),
        urllib.request.Request(config.url("payments") + "/_faults", data=b"{}", method="POST"),
    ]
    for request in requests:
        with urllib.request.urlopen(request, timeout=5) as response:  # loopback
            assert response.status == 200


@pytest.fixture(autouse=True)
def faults_cleared_after(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "local_stack" in request.fixturenames:  # never starts the stack for a test without it
        clear_faults(request.getfixturevalue("local_stack"))
