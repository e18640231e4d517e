"""Recorded event shapes, loaded by one helper; each file names its source in `_source`."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

_HERE = Path(__file__).parent
# What Lambda itself adds to a Function URL request's headers (the rest of the recorded
# request's headers were its browser's and are replaced by the request under test's own).
_LAMBDA_HEADERS = ("host", "x-amzn-tls-version", "x-amzn-tls-cipher-suite", "x-amzn-trace-id")
_FORWARDED = "x-forwarded-"


def load_event(name: str) -> dict[str, Any]:
    """A fresh copy of `tests/events/<name>.json`, without its `_source` note."""
    data: dict[str, Any] = json.loads((_HERE / f"{name}.json").read_text())
    data.pop("_source", None)
    return data


def function_url_event(
    body: str, headers: dict[str, str], *, base64_encoded: bool = True, path: str = "/slack/events"
) -> dict[str, Any]:
    """AWS's recorded Function URL event (payload format 2.0) carrying one POST to `path`.

    Lambda base64-encodes bodies it does not treat as text; Slack's form posts arrive either
    way depending on the content type, so both are tested.
    """
    event = load_event("function_url_request")
    added = event["headers"].items()
    kept = {k: v for k, v in added if k in _LAMBDA_HEADERS or k.startswith(_FORWARDED)}
    event["headers"] = kept | {k.lower(): v for k, v in headers.items()}
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = "POST"
    event["isBase64Encoded"] = base64_encoded
    event["body"] = base64.b64encode(body.encode()).decode() if base64_encoded else body
    return event
