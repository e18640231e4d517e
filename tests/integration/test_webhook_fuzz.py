"""Fuzzing the webhook over HTTP: whatever arrives, never a 5xx, never an unsigned callback."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localdev.slack_requests import signed_headers
from tests.integration.conftest import SIGNING_SECRET

if TYPE_CHECKING:
    from tests.integration.conftest import Stack

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
payload_shapes = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["block_actions", "view_submission", "shortcut", "x", ""]),
        "api_app_id": st.sampled_from(["A0GREENLT", "A0OTHER", ""]) | st.text(max_size=10),
        "team": st.fixed_dictionaries({"id": st.sampled_from(["T0GREENLT", "T0OTHER"])})
        | json_values,
        "user": st.fixed_dictionaries({"id": st.sampled_from(["U0BOB", "U0EVE", "bob", ""])})
        | json_values,
        "actions": st.lists(
            st.fixed_dictionaries(
                {
                    "action_id": st.sampled_from(["approve", "reject", "other"]),
                    "value": st.text(max_size=30),
                }
            ),
            max_size=2,
        )
        | json_values,
        "view": json_values,
        "container": json_values,
        "trigger_id": st.text(max_size=10),
    },
)
bodies = st.one_of(
    payload_shapes.map(lambda p: "payload=" + urllib.parse.quote(json.dumps(p))),
    st.text(max_size=200),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.sampled_from(["", "payload=", "payload=%ZZ", "command=/approvals&user_id=U0BOB", "a=b&a=c"]),
)
header_choices = st.sampled_from(["valid", "none", "garbage", "stale", "future", "non-numeric"])


def headers_for(kind: str, body: str) -> dict[str, str]:
    if kind == "none":
        return {"Content-Type": "application/x-www-form-urlencoded"}
    ts = {"stale": int(time.time()) - 3600, "future": int(time.time()) + 3600}.get(kind)
    headers = signed_headers(SIGNING_SECRET, body, timestamp=ts)
    if kind == "garbage":
        headers["X-Slack-Signature"] = "v0=deadbeef"
    if kind == "non-numeric":
        headers["X-Slack-Request-Timestamp"] = "12:00"
    return headers


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies, kind=header_choices)
def test_no_input_gets_a_5xx_or_an_unsigned_callback(stack: Stack, body: str, kind: str) -> None:
    before = len(stack.callbacks.sent())
    encoded = body.encode("utf-8", "surrogateescape") if kind != "none" else body.encode()

    status, _ = post_raw(stack.webhook_url, encoded, headers_for(kind, body))

    assert status < 500
    if kind != "valid":
        assert status in (400, 401)
    # No pending approval carries these random ids, so nothing may ever be resumed.
    assert len(stack.callbacks.sent()) == before


def post_raw(url: str, body: bytes, headers: dict[str, Any]) -> tuple[int, str]:
    """POST raw bytes (they may not be UTF-8) and return (status, body) whatever the status."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")
