"""Fuzzing the webhook over HTTP: whatever arrives, never a 5xx, never an unsigned callback.

Inputs start from the recorded requests (`localdev/slack_corpus`), mutated field by field, and
vary what a client controls besides the body: content type, signature and timestamp values.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localdev import slack_corpus
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
ENTRIES = slack_corpus.entries()
DELETE = object()


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path inside a recorded payload (the places a mutation can hit)."""
    if isinstance(value, dict):
        items: list[tuple[Any, Any]] = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return []
    return [p for k, v in items for p in [(*prefix, k), *_paths(v, (*prefix, k))]]


@st.composite
def mutated_payloads(draw: st.DrawFn) -> dict[str, Any]:
    """A recorded payload with a few of its fields replaced, nulled or removed."""
    name = draw(st.sampled_from([e.name for e in ENTRIES if "form_payload" in e.request]))
    payload = slack_corpus.load(name).payload
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(payload)
        if not paths:
            break
        *parents, last = draw(st.sampled_from(paths))
        holder: Any = payload
        for key in parents:
            holder = holder[key]
        new = draw(st.sampled_from([DELETE, None]) | json_values)
        if new is not DELETE:
            holder[last] = new
        elif isinstance(holder, dict):
            del holder[last]
        else:
            holder[last] = None
    return payload


bodies = st.one_of(
    mutated_payloads().map(slack_corpus.form),  # form field payload=, as Slack sends it
    mutated_payloads().map(json.dumps),  # a JSON body: Bolt reads it as the payload itself
    st.sampled_from([e.body() for e in ENTRIES]),  # every recorded request, unchanged
    # nested past Python's recursion limit (a RecursionError once answered 500, unsigned)
    st.builds(
        lambda nest, depth: nest[0] + nest[1] * depth,
        st.sampled_from([("", "["), ("", '{"a":'), ("payload=", "%5B")]),
        st.integers(900, 12_000),
    ),
    st.text(max_size=200),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.sampled_from(["", "payload=", "payload=%ZZ", "command=/approvals&user_id=U0BOB", "{"]),
)
content_types = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=utf-8",
        "application/json",
        "text/plain",
        "",
    ]
)
signatures = st.sampled_from(["valid", "none", "garbage", "non-ascii", "v1", "long", "empty"])
timestamps = st.sampled_from(
    ["now", "stale", "future", "huge", "non-numeric", "arabic-digits", "negative", "empty"]
)


def headers_for(body: str, content_type: str, signature: str, timestamp: str) -> dict[str, str]:
    """Slack's headers for `body`, with the signature and timestamp made as the case says."""
    ts = {
        "now": str(int(time.time())),
        "stale": str(int(time.time()) - 3600),
        "future": str(int(time.time()) + 3600),
        "huge": "9" * 400,  # an OverflowError inside slack_sdk's verifier
        "non-numeric": "12:00",
        "arabic-digits": "\u0661\u0667" + "\u0660" * 8,  # isdigit(), but not ASCII
        "negative": "-1",
        "empty": "",
    }[timestamp]
    valid = slack_corpus.signature_headers(
        SIGNING_SECRET, body, int(ts) if ts.isascii() and ts.isdigit() and len(ts) < 12 else 0
    )["X-Slack-Signature"]
    sig = {
        "valid": valid,
        "none": None,
        "garbage": "v0=deadbeef",
        "non-ascii": "v0=" + "é" * 64,  # a TypeError inside hmac.compare_digest
        "v1": "v1" + valid[2:],
        "long": "v0=" + "a" * 5000,
        "empty": "",
    }[signature]
    headers = {"Content-Type": content_type} if content_type else {}
    if sig is not None:
        headers |= {"X-Slack-Signature": sig, "X-Slack-Request-Timestamp": ts}
    return headers


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies, content_type=content_types, signature=signatures, timestamp=timestamps)
def test_no_input_gets_a_5xx_or_an_unsigned_callback(
    stack: Stack, body: str, content_type: str, signature: str, timestamp: str
) -> None:
    # Given any body, content type and signing header values, in any combination
    before = len(stack.callbacks.sent())
    headers = headers_for(body, content_type, signature, timestamp)

    # When it reaches the webhook (bytes as sent: they may not be UTF-8)
    status, _ = post_raw(stack.webhook_url, body.encode("utf-8", "surrogateescape"), headers)

    # Then never a 5xx; a request not signed by Slack is refused, unless it is an ssl_check
    assert status < 500
    signed = signature == "valid" and timestamp == "now"
    if not signed and "ssl_check=1" not in body:
        assert status == 401
    # No pending approval carries the recorded ids, so nothing may ever be resumed.
    assert len(stack.callbacks.sent()) == before


def post_raw(url: str, body: bytes, headers: dict[str, Any]) -> tuple[int, str]:
    """POST raw bytes (they may not be UTF-8) and return (status, body) whatever the status."""
    # Header values go out as their UTF-8 bytes (http.client sends latin-1 strings byte for byte)
    raw = {k: v.encode("utf-8").decode("latin-1") for k, v in headers.items()}
    request = urllib.request.Request(url, data=body, headers=raw, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")
