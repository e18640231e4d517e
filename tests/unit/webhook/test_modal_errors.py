"""What a modal's `response_action: errors` shows: plain text, as Slack renders it.

Slack renders each error of `{"response_action": "errors", "errors": {block_id: text}}` as
**plain text**: "Within the `errors` object, you supply a key that is the `block_id` of the
erroneous input block, and a value - the plain text error message to be displayed to the user"
(docs.slack.dev/surfaces/modals, "Display errors in views", #displaying_errors). So a mention
(`<@U…>`), a date (`<!date^…|…>`) or an entity (`&amp;`) in that text reaches the approver as
those very characters. Ephemeral answers (`reply_for`) are
are mrkdwn written for messages (`greenlight.core.messages`), so a form is answered with its
own plain-text wording instead (`greenlight.webhook.app.form_error_for`), and the local page
renders those errors as text (localdev/page/app.js, the `response_action === "errors"` branch).

The submission is Bolt's own fixture (localdev/slack_corpus/view_submission_ordinary_empty_state
.json: slackapi/bolt-python@a2f21ae tests/scenario_tests/test_view_submission.py) around the
modal the app opens, filled as the fake Slack fills it (`slack_corpus.fill_submission`).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from slack_bolt.request import BoltRequest

from greenlight.core.approve_views import approve_modal
from greenlight.core.blocks import reject_modal
from greenlight.core.buttons import COMMENT_BLOCK_ID, REASON_BLOCK_ID
from greenlight.core.errors import (
    AlreadyVotedError,
    ApprovalError,
    ConflictError,
    InvalidRequestError,
    NotAuthorizedError,
    NotFoundError,
)
from greenlight.core.secret import Secret
from greenlight.webhook.app import build_app
from greenlight.webhook.decisions import DecisionService
from localdev import slack_corpus
from localdev.slack_requests import signed_headers
from tests.unit.core.test_blocks import AT, record
from tests.unit.webhook.test_app import WORKSPACE, MissingApprovals, NoCallbacks

if TYPE_CHECKING:
    from collections.abc import Sequence

    from greenlight.core.record import ApprovalRecord
    from greenlight.core.votes import Vote, VoteEffect
    from greenlight.webhook.ports import MessageBoard

APPROVAL_ID = "A" * 22
# What only mrkdwn would turn into something else: mentions, dates, links, entities
MRKDWN_MARKUP = re.compile(r"<[@!#]|<https?:|&(?:amp|lt|gt);")


class Refusing(MissingApprovals):
    """A store that refuses every vote with `error` (by default: carol approved it at AT)."""

    def __init__(self, error: ApprovalError | None = None) -> None:
        self.error = error or ConflictError(APPROVAL_ID, "approved", ("U0CAROL",), AT)

    def get(self, approval_id: str) -> ApprovalRecord:
        return record()

    def record_vote(self, approval_id: str, vote: Vote) -> tuple[ApprovalRecord, VoteEffect]:
        raise self.error


def submit(
    view: dict[str, object], values: dict[str, str], error: ApprovalError | None = None
) -> dict[str, str]:
    def decisions(board: MessageBoard) -> DecisionService:
        store = Refusing(error)
        return DecisionService(store, NoCallbacks(), board, lambda: datetime.now(UTC))

    app = build_app(WORKSPACE, lambda: Secret("xoxb-unit-not-real"), decisions)
    entry = slack_corpus.load("view_submission_ordinary_empty_state")
    payload = slack_corpus.fill_submission(
        entry.payload, view=view | {"id": "V111"}, user_id="U0BOB", values=values
    )
    body = entry.body(payload)
    headers: dict[str, str | Sequence[str]] = {
        **signed_headers("unused", body),
        "content-type": entry.content_type,
    }
    response = app.dispatch(BoltRequest(body=body, headers=headers))
    answer = json.loads(response.body)
    assert answer["response_action"] == "errors"
    errors: dict[str, str] = answer["errors"]
    return errors


@pytest.mark.parametrize(
    ("view", "values", "block_id"),
    [
        (reject_modal(APPROVAL_ID, "Order ord-1"), {REASON_BLOCK_ID: "too much"}, REASON_BLOCK_ID),
        (approve_modal(record(), with_comment=True), {COMMENT_BLOCK_ID: "ok"}, COMMENT_BLOCK_ID),
    ],
    ids=["reject", "approve-with-comment"],
)
def test_a_refused_submission_tells_the_approver_in_plain_text(
    view: dict[str, object], values: dict[str, str], block_id: str
) -> None:
    # Given a request carol approved while bob had the form open
    # When bob submits it
    errors = submit(view, values)

    # Then the form says so in words Slack shows as they are (plain text: no <@U…>, no
    # <!date…>, no &amp;), e.g. "Already approved by Carol …", not "<@U0CAROL> <!date^…>"
    assert set(errors) == {block_id}
    assert MRKDWN_MARKUP.findall(errors[block_id]) == [], errors[block_id]


REJECT = (reject_modal(APPROVAL_ID, "Order ord-1"), {REASON_BLOCK_ID: "too much"})


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (None, "Already approved at 2026-11-22 12:00 UTC; nothing was changed."),
        (
            ConflictError(APPROVAL_ID, "expired", (), AT),
            "This request expired at 2026-11-22 12:00 UTC without a decision; nothing was changed.",
        ),
        (
            NotAuthorizedError(APPROVAL_ID, "U0BOB", "you are not an approver for this request"),
            "You can't decide this request: you are not an approver for this request. "
            "Nothing was changed.",
        ),
        (
            AlreadyVotedError(APPROVAL_ID, "U0BOB", "U0DAVE"),
            "You can't decide this request: you already voted, as a delegate. Nothing was changed.",
        ),
        (
            AlreadyVotedError(APPROVAL_ID, "U0BOB", None),
            "You can't decide this request: you already voted. Nothing was changed.",
        ),
        (
            NotFoundError(APPROVAL_ID),
            "This approval request no longer exists; nothing was changed.",
        ),
        (
            InvalidRequestError("reason", "a & b <c>"),
            "That request could not be processed: a & b <c>. Nothing was changed.",
        ),
    ],
    ids=["decided", "expired", "not-approver", "voted-as-delegate", "voted", "gone", "unreadable"],
)
def test_each_refusal_reads_as_words_in_the_form(error: ApprovalError | None, shown: str) -> None:
    # Given a reject form whose vote the store refuses
    # When it is submitted
    errors = submit(*REJECT, error=error)

    # Then the form says why in plain text, as typed (no entity for what plain text shows as is)
    assert errors == {REASON_BLOCK_ID: shown}
