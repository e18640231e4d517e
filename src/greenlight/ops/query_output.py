"""The AWS CLI's `dynamodb query --output json` as the operator scripts pipe it in.

A query that failed leaves nothing on the pipe (the CLI has printed its own reason to stderr);
the reader says so in one line instead of a JSONDecodeError traceback.
"""

from __future__ import annotations

import json
from typing import IO, Any


class NotQueryOutputError(ValueError):
    """The input is not the CLI's JSON for a query (a JSON object)."""


def read(stream: IO[str]) -> dict[str, Any]:
    """The query output read from `stream`.

    Raises:
        NotQueryOutputError: empty, not JSON, or not a JSON object.
    """
    text = stream.read()
    if not text.strip():
        msg = "the AWS query returned nothing (it failed: the AWS CLI's reason is above)"
        raise NotQueryOutputError(msg)
    try:
        data = json.loads(text)
    except ValueError as err:
        msg = f"the AWS query's output is not JSON ({err})"
        raise NotQueryOutputError(msg) from err
    if not isinstance(data, dict):
        msg = "the AWS query's output is not a JSON object"
        raise NotQueryOutputError(msg)
    return data
