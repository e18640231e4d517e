"""In-memory stand-ins for what the gate and the webhook need, for tests of your own workflow.

Standard library and `greenlight.core` only. The store keeps the DynamoDB store's contract
(one suite, `tests/contract/store/`, runs against both); Slack records what it was asked to
show; the clock and the ids are yours to set; `click` votes and resumes as the webhook does.
"""

from greenlight.testing.clicks import click, posted
from greenlight.testing.clock import SequentialIds, SettableClock
from greenlight.testing.slack import (
    Announcement,
    InMemoryDirectory,
    InMemorySlack,
    Notice,
    Post,
    Reply,
    SlackUnavailableError,
    UnknownUsergroupError,
)
from greenlight.testing.store import InMemoryApprovalStore

__all__ = [
    "Announcement",
    "InMemoryApprovalStore",
    "InMemoryDirectory",
    "InMemorySlack",
    "Notice",
    "Post",
    "Reply",
    "SequentialIds",
    "SettableClock",
    "SlackUnavailableError",
    "UnknownUsergroupError",
    "click",
    "posted",
]
