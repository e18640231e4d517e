"""Every approval button, clicked on the message and in the App Home, answers alike over real HTTP.

A click on an approval's message and one in someone's Home tab run the same flow: Approve
decides at once; Reject, Approve with comment and a sensitive request's Approve first check that
the clicker may still vote, then open their form. What differs is where the answer goes (an
ephemeral message in the channel, or a line on top of the clicker's Home tab, published again)
and what shows a decision (the redrawn message says it all; the Home tab says "your vote
decided"). Each case runs on both, so the two cannot drift. The requests are the recorded
corpus' `block_actions` (a channel message's and a Home tab's), signed as Slack signs them; the
webhook runs under uvicorn over moto and the fake Slack.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from greenlight.core import messages
from greenlight.core.votes import Status
from localdev.slack_requests import home_click, post, send_signed, view_submission
from tests.integration.conftest import SIGNING_SECRET, click_payload, post_pending
from tests.integration.test_app_home import home_of, open_home

if TYPE_CHECKING:
    from collections.abc import Iterator

    from greenlight.core.record import ApprovalRecord
    from tests.integration.conftest import Stack

Json = dict[str, Any]
SURFACES = ("message", "home")
# The buttons that open a form, whether the request must be sensitive to show it, and the form
FORMS = [
    ("reject", False, "reject_reason"),
    ("approve_comment", False, "approve_comment"),
    ("approve_confirm", True, "approve_confirm"),
]
EVERY_BUTTON = [("approve", False), *((action, sensitive) for action, sensitive, _ in FORMS)]


@pytest.fixture
def no_faults_left(stack: Stack) -> Iterator[None]:
    """Clears the fake Slack's faults afterwards, even when a test never used its fault."""
    yield
    request = urllib.request.Request(f"{stack.slack_url}/_faults", method="DELETE")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


class Clicker:
    """Clicks as one person on one surface, and reads what they were told there."""

    def __init__(self, stack: Stack, user: str, surface: str) -> None:
        self.stack, self.user, self.surface = stack, user, surface
        if surface == "home":
            open_home(stack, user)  # a Home tab click carries the id of the view it was on

    def click(self, record: ApprovalRecord, action: str) -> Json:
        """Send the click; Slack always gets its empty 200 (the answer goes elsewhere)."""
        if self.surface == "message":
            payload = click_payload(record, self.user, action)
        else:
            view = home_of(self.stack, self.user)
            assert view is not None
            payload = home_click(
                action_id=action,
                approval_id=record.approval_id,
                user_id=self.user,
                view=view,
            )
        assert send_signed(self.stack.webhook_url, SIGNING_SECRET, payload) == (200, "")
        return payload

    def mark(self) -> int:
        """Where the answers so far end (`told_since` reads what came after)."""
        state = self.stack.slack.snapshot()
        if self.surface == "message":
            return len(state["ephemerals"])
        return sum(1 for c in state["calls"] if c["method"] == "views.publish")

    def told_since(self, mark: int) -> list[str]:
        """What this user was told since `mark`: each ephemeral message to them, or the line on
        top of their Home tab when it was published again ("" for none)."""
        state = self.stack.slack.snapshot()
        if self.surface == "message":
            return [e["text"] for e in state["ephemerals"][mark:] if e["user"] == self.user]
        published = sum(1 for c in state["calls"] if c["method"] == "views.publish") - mark
        if published == 0:
            return []
        assert published == 1, f"the Home tab was published {published} times"
        view = home_of(self.stack, self.user)
        assert view is not None
        first = view["blocks"][0]
        return [str(first["elements"][0]["text"]) if first["type"] == "context" else ""]


def forms_opened_by(stack: Stack, payload: Json) -> list[Json]:
    return [
        v["view"]
        for v in stack.slack.snapshot()["views"]
        if v["trigger_id"] == payload["trigger_id"]
    ]


def rejected_by_carol(stack: Stack, record: ApprovalRecord) -> ApprovalRecord:
    """Carol rejects `record` through its message: Reject, then the form with her reason."""
    payload = click_payload(record, "U0CAROL", "reject")
    assert send_signed(stack.webhook_url, SIGNING_SECRET, payload) == (200, "")
    (form,) = forms_opened_by(stack, payload)
    submission = view_submission(view=form, user_id="U0CAROL", reason="over budget")
    assert send_signed(stack.webhook_url, SIGNING_SECRET, submission) == (200, "")
    decided = stack.store.get(record.approval_id)
    assert (decided.status, decided.reason) == (Status.REJECTED, "over budget")
    return decided


def refuse_next_form(stack: Stack) -> None:
    """Slack refusing the next views.open, as it does a trigger id older than its 3 s."""
    fault = {"method": "views.open", "error": "expired_trigger_id"}
    assert post(f"{stack.slack_url}/_faults", json.dumps(fault), {})[0] == 200


@pytest.mark.parametrize("surface", SURFACES)
def test_an_approve_that_decides_is_shown_by_what_is_redrawn(stack: Stack, surface: str) -> None:
    # Given a request one approval decides, and Bob on the message or in his Home tab
    record = post_pending(stack)
    bob = Clicker(stack, "U0BOB", surface)
    mark = bob.mark()

    # When Bob clicks Approve
    bob.click(record, "approve")

    # Then it is decided; the message is redrawn with the verdict and tells him nothing more,
    # while his Home tab is published again saying his vote decided it
    after = stack.store.get(record.approval_id)
    assert (after.status, after.decided_by) == (Status.APPROVED, ("U0BOB",))
    assert bob.told_since(mark) == ([] if surface == "message" else [messages.you_decided(after)])


@pytest.mark.parametrize("surface", SURFACES)
def test_an_approve_that_counts_without_deciding_says_so(stack: Stack, surface: str) -> None:
    # Given a request two approvals decide
    record = post_pending(stack, quorum=2)
    bob = Clicker(stack, "U0BOB", surface)
    mark = bob.mark()

    # When Bob clicks Approve
    bob.click(record, "approve")

    # Then his vote is counted, the request still waits, and he is told how far it got
    after = stack.store.get(record.approval_id)
    assert (after.status, [v.user_id for v in after.votes]) == (Status.PENDING, ["U0BOB"])
    assert bob.told_since(mark) == [messages.vote_counted(after)]


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize(("action", "sensitive", "callback_id"), FORMS)
def test_a_form_button_opens_its_form_and_decides_nothing(
    stack: Stack, surface: str, action: str, sensitive: bool, callback_id: str
) -> None:
    # Given a pending request showing this button
    record = post_pending(stack, sensitive=sensitive)
    carol = Clicker(stack, "U0CAROL", surface)
    mark = carol.mark()

    # When Carol clicks it
    payload = carol.click(record, action)

    # Then its form opens, about this approval, with nothing said and nothing changed
    (view,) = forms_opened_by(stack, payload)
    assert (view["callback_id"], view["private_metadata"]) == (callback_id, record.approval_id)
    assert carol.told_since(mark) == []
    assert stack.store.get(record.approval_id) == record


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize(("action", "sensitive", "callback_id"), FORMS)
@pytest.mark.usefixtures("no_faults_left")
def test_when_slack_will_not_open_a_form_the_clicker_is_told(
    stack: Stack, surface: str, action: str, sensitive: bool, callback_id: str
) -> None:
    # Given Slack refusing to open the next form
    record = post_pending(stack, sensitive=sensitive)
    dave = Clicker(stack, "U0DAVE", surface)
    mark = dave.mark()
    refuse_next_form(stack)

    # When Dave clicks the button
    payload = dave.click(record, action)

    # Then no form is open, he is told to try again, and nothing changed
    assert forms_opened_by(stack, payload) == []
    assert dave.told_since(mark) == [messages.form_unavailable()]
    assert stack.store.get(record.approval_id) == record


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize(("action", "sensitive"), EVERY_BUTTON)
def test_someone_who_may_not_decide_is_told_why_and_nothing_opens(
    stack: Stack, surface: str, action: str, sensitive: bool
) -> None:
    # Given a pending request and Eve, who is not among its approvers
    record = post_pending(stack, sensitive=sensitive)
    eve = Clicker(stack, "U0EVE", surface)
    mark = eve.mark()

    # When a click of hers arrives on any of its buttons (signed by Slack)
    payload = eve.click(record, action)

    # Then she is told why not, no form opens, and nothing changed
    (told,) = eve.told_since(mark)
    assert told.startswith("You can't decide this request")
    assert forms_opened_by(stack, payload) == []
    assert stack.store.get(record.approval_id) == record


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize(("action", "sensitive"), EVERY_BUTTON)
def test_a_click_on_a_decided_request_says_who_decided(
    stack: Stack, surface: str, action: str, sensitive: bool
) -> None:
    # Given a request Carol rejected (with her reason, through its form)
    record = post_pending(stack, sensitive=sensitive)
    decided = rejected_by_carol(stack, record)
    bob = Clicker(stack, "U0BOB", surface)
    mark = bob.mark()

    # When Bob clicks one of its buttons afterwards
    payload = bob.click(record, action)

    # Then he is told who decided it, no form opens, and nothing changed
    assert bob.told_since(mark) == [messages.already_decided(decided)]
    assert forms_opened_by(stack, payload) == []
    assert stack.store.get(record.approval_id) == decided


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize(("action", "sensitive"), EVERY_BUTTON)
def test_a_click_past_the_deadline_says_it_expired_though_no_one_closed_it(
    stack: Stack, surface: str, action: str, sensitive: bool
) -> None:
    # Given a request past its deadline that its workflow never closed (its execution ended)
    record = post_pending(stack, sensitive=sensitive, open_for=timedelta(minutes=-1))
    bob = Clicker(stack, "U0BOB", surface)
    mark = bob.mark()

    # When Bob, one of its approvers, clicks one of its buttons
    payload = bob.click(record, action)

    # Then he is told it expired and when, no form opens, and nothing changed
    assert bob.told_since(mark) == [
        messages.already_decided_as(Status.EXPIRED, (), record.expires_at)
    ]
    assert forms_opened_by(stack, payload) == []
    assert stack.store.get(record.approval_id) == record
