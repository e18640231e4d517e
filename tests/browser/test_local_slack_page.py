"""The local Slack page in a real browser: approve, refuse, reject with a reason, watch it run."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from greenlight.core.votes import Status
from localdev.click import store_for
from localdev.demo import approval_for, demo_order, start_order, wait_for
from tests.e2e.test_local_stack import finished

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Locator, Page

    from localdev.config import StackConfig

pytestmark = pytest.mark.e2e
# The README's picture is refreshed on request only, so a test run never dirties the checkout.
README_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "local-slack.png"


def new_request(config: StackConfig, *, sensitive: bool = False) -> tuple[str, str]:
    order = demo_order(125_000, sensitive=sensitive)
    arn = start_order(config, order)
    approval_id: str = wait_for(lambda: approval_for(config, order["order_id"]), 30, "approval")
    return arn, approval_id


def row(page: Page, approval_id: str) -> Locator:
    return page.locator(f".row:has(aside[data-approval='{approval_id}'])")


def test_an_approver_approves_and_the_execution_succeeds(
    local_stack: StackConfig, page_as: Callable[[str], Page], tmp_path: Path
) -> None:
    # Given a request, seen by Bob with its suspended workflow beside it
    arn, approval_id = new_request(local_stack)
    page = page_as("bob")
    request = row(page, approval_id)
    request.get_by_text("Suspended on its callback").wait_for()

    # When Bob clicks Approve
    request.get_by_role("button", name="Approve", exact=True).click()

    # Then the message says so (buttons gone) and the workflow resumed to success; the message,
    # not the thread, whose reply may arrive first and quotes the decision too
    request.locator(".message").get_by_text("Approved by @bob").wait_for()
    assert request.get_by_role("button", name="Approve", exact=True).count() == 0
    assert finished(local_stack, arn)["Status"] == "SUCCEEDED"
    request.locator(".status.SUCCEEDED").wait_for()
    assert request.locator(".events").get_by_text("charge payment").count() >= 1
    refresh = os.environ.get("GREENLIGHT_SCREENSHOT") == "1"
    page.screenshot(path=str(README_SCREENSHOT if refresh else tmp_path / "local-slack.png"))


def test_an_outsider_is_refused_privately_and_nothing_changes(
    local_stack: StackConfig, page_as: Callable[[str], Page]
) -> None:
    _, approval_id = new_request(local_stack)
    eve, bob = page_as("eve"), page_as("bob")

    row(eve, approval_id).get_by_role("button", name="Approve", exact=True).click()

    row(eve, approval_id).get_by_text("You can't decide this request").wait_for()
    assert row(eve, approval_id).get_by_text("Only visible to you").count() == 1
    assert store_for(local_stack).get(approval_id).status is Status.PENDING
    bob.reload()
    row(bob, approval_id).get_by_role("button", name="Approve", exact=True).wait_for()
    assert row(bob, approval_id).get_by_text("You can't decide this request").count() == 0


def test_reject_asks_for_a_reason_then_undoes_the_order(
    local_stack: StackConfig, page_as: Callable[[str], Page]
) -> None:
    arn, approval_id = new_request(local_stack)
    page = page_as("carol")

    # Reject opens the modal; an empty reason is refused by the form
    row(page, approval_id).get_by_role("button", name="Reject").click()
    modal = page.locator("#modal")
    modal.get_by_text("Reject request").wait_for()
    modal.get_by_role("button", name="Reject").click()
    modal.get_by_text("Please say why.").wait_for()
    assert store_for(local_stack).get(approval_id).status is Status.PENDING

    # With a reason, the request is rejected and the workflow compensates
    modal.locator("textarea").fill("duplicate of an earlier order")
    modal.get_by_role("button", name="Reject").click()
    row(page, approval_id).locator(".message").get_by_text("Rejected by @carol").wait_for()
    # The page polls, so the redraw may show before the submission's answer closes the modal
    page.locator("#modal-backdrop").wait_for(state="hidden")
    result: dict[str, Any] = json.loads(finished(local_stack, arn)["Result"])
    assert result["status"] == "rejected"
    assert result["approval"]["reason"] == "duplicate of an earlier order"
    assert result["undone"] == ["release shipping", "release inventory"]


def test_a_form_refused_after_another_decided_says_so_in_plain_text(
    local_stack: StackConfig, page_as: Callable[[str], Page]
) -> None:
    # Given carol's Reject form open on a request, and bob approving it meanwhile
    _, approval_id = new_request(local_stack)
    carol, bob = page_as("carol"), page_as("bob")
    row(carol, approval_id).get_by_role("button", name="Reject").click()
    modal = carol.locator("#modal")
    modal.get_by_text("Reject request").wait_for()
    row(bob, approval_id).get_by_role("button", name="Approve", exact=True).click()
    wait_for(lambda: store_for(local_stack).get(approval_id).status is Status.APPROVED, 30, "vote")

    # When carol submits her reason
    modal.locator("textarea").fill("too late")
    modal.get_by_role("button", name="Reject").click()

    # Then the form tells her, as Slack shows a modal's errors: plain text, nothing rendered
    error = modal.get_by_text("Already approved at ")
    error.wait_for()
    assert error.inner_text().endswith(" UTC; nothing was changed.")
    assert store_for(local_stack).get(approval_id).status is Status.APPROVED


def test_the_app_home_lists_the_request_and_its_approve_button_works(
    local_stack: StackConfig, page_as: Callable[[str], Page]
) -> None:
    # Given a request waiting on Bob
    arn, approval_id = new_request(local_stack)
    title = store_for(local_stack).get(approval_id).request.title
    page = page_as("bob")

    # When Bob opens Greenlight's Home tab (the page sends Slack's signed app_home_opened)
    page.get_by_role("button", name="Greenlight · Home").click()
    home = page.locator("#home")
    item = home.locator(f"button[data-value='{approval_id}'][data-action='approve']")
    item.wait_for()
    assert home.get_by_text(title).count() >= 1

    # And clicks Approve there
    item.click()

    # Then the Home tab is redrawn (by the webhook with "Your vote decided…", then by the relay)
    # without its buttons, listing it as approved by him; the workflow succeeded
    home.locator(f"button[data-value='{approval_id}']").first.wait_for(state="detached")
    home.get_by_text("by @bob").first.wait_for()
    assert finished(local_stack, arn)["Status"] == "SUCCEEDED"
    assert store_for(local_stack).get(approval_id).status is Status.APPROVED


def test_a_sensitive_requests_approve_in_the_app_home_asks_to_confirm(
    local_stack: StackConfig, page_as: Callable[[str], Page]
) -> None:
    # Given a sensitive request in Carol's Home tab
    arn, approval_id = new_request(local_stack, sensitive=True)
    page = page_as("carol")
    page.get_by_role("button", name="Greenlight · Home").click()
    home = page.locator("#home")
    approve = home.locator(f"button[data-value='{approval_id}'][data-action='approve_confirm']")
    approve.wait_for()

    # When she clicks its Approve, the confirmation opens: nothing is approved in one click
    approve.click()
    modal = page.locator("#modal")
    modal.get_by_text("Confirm approval").wait_for()
    assert store_for(local_stack).get(approval_id).status is Status.PENDING

    # And confirming approves it; the workflow goes on
    modal.get_by_role("button", name="Approve", exact=True).click()
    page.locator("#modal-backdrop").wait_for(state="hidden")
    home.locator(f"button[data-value='{approval_id}']").first.wait_for(state="detached")
    assert finished(local_stack, arn)["Status"] == "SUCCEEDED"
    assert store_for(local_stack).get(approval_id).status is Status.APPROVED


def test_approve_with_comment_asks_for_one_then_shows_it(
    local_stack: StackConfig, page_as: Callable[[str], Page]
) -> None:
    arn, approval_id = new_request(local_stack)
    page = page_as("bob")

    # Approve with comment opens its modal; an empty comment is refused by the form
    row(page, approval_id).get_by_role("button", name="Approve with comment").click()
    modal = page.locator("#modal")
    modal.get_by_text("Approve request").wait_for()
    modal.get_by_role("button", name="Approve", exact=True).click()
    modal.get_by_text("Please write a comment, or use Approve.").wait_for()
    assert store_for(local_stack).get(approval_id).status is Status.PENDING

    # With a comment, the request is approved; the message shows the comment, the workflow has it
    modal.locator("textarea").fill("Acme is a known customer")
    modal.get_by_role("button", name="Approve", exact=True).click()
    message = row(page, approval_id).locator(".message")
    message.get_by_text("Approved by @bob").wait_for()
    message.get_by_text("@bob: Acme is a known customer").wait_for()
    page.locator("#modal-backdrop").wait_for(state="hidden")
    result: dict[str, Any] = json.loads(finished(local_stack, arn)["Result"])
    assert result["status"] == "completed"
    (vote,) = result["approval"]["votes"]
    assert (vote["user_id"], vote["comment"]) == ("U0BOB", "Acme is a known customer")


def test_a_sensitive_request_is_approved_only_after_confirming(
    local_stack: StackConfig, page_as: Callable[[str], Page]
) -> None:
    arn, approval_id = new_request(local_stack, sensitive=True)
    page = page_as("carol")
    request = row(page, approval_id)
    request.get_by_text("Sensitive request").wait_for()

    # Approve opens the confirmation instead of approving; closing it changes nothing
    request.get_by_role("button", name="Approve", exact=True).click()
    modal = page.locator("#modal")
    modal.get_by_text("Confirm approval").wait_for()
    modal.get_by_text("Sensitive request").wait_for()
    page.locator("#modal-close").click()
    assert store_for(local_stack).get(approval_id).status is Status.PENDING

    # Approve again and confirm: approved, and the workflow goes on
    request.get_by_role("button", name="Approve", exact=True).click()
    modal.get_by_text("Confirm approval").wait_for()
    modal.get_by_role("button", name="Approve", exact=True).click()
    request.locator(".message").get_by_text("Approved by @carol").wait_for()
    assert finished(local_stack, arn)["Status"] == "SUCCEEDED"
