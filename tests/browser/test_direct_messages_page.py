"""The local Slack page shows each person their DMs from the app; a DM-routed request is
decided by clicking Approve in one's own DM, in a real browser, and every copy shows it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.test_direct_messages import posted, start
from tests.e2e.test_local_stack import finished

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Locator, Page

    from localdev.config import StackConfig

pytestmark = pytest.mark.e2e


def row(page: Page, approval_id: str) -> Locator:
    return page.locator(f".row:has(aside[data-approval='{approval_id}'])")


def test_an_approver_decides_a_dm_request_by_clicking_in_their_dm(
    local_stack: StackConfig, page_as: Callable[[str], Page]
) -> None:
    # Given a request sent to bob, carol and dave in DMs
    arn, title = start(local_stack)
    record = posted(local_stack, title, copies=3)
    carol, bob = page_as("carol"), page_as("bob")

    # Then carol's DM holds it (with its suspended workflow), and the channel does not
    carol.locator("#dm-link").click()
    request = row(carol, record.approval_id)
    request.get_by_text("Suspended on its callback").wait_for()
    assert carol.locator("#channel-header").inner_text() == "Greenlight · direct message"
    assert int(carol.locator("#dm-count").inner_text()) >= 1
    carol.locator(".sidebar [data-view=channel]").click()
    assert row(carol, record.approval_id).count() == 0
    carol.locator("#dm-link").click()

    # When carol clicks Approve in her DM
    request.get_by_role("button", name="Approve", exact=True).click()

    # Then her copy says so with its buttons gone, the workflow succeeded, and bob's copy too
    request.locator(".message").get_by_text("Approved by @carol").wait_for()
    assert request.get_by_role("button", name="Approve").count() == 0
    result: dict[str, Any] = json.loads(finished(local_stack, arn)["Result"])
    assert result["status"] == "approved"
    bob.locator("#dm-link").click()
    row(bob, record.approval_id).locator(".message").get_by_text("Approved by @carol").wait_for()
    assert row(bob, record.approval_id).get_by_role("button", name="Approve").count() == 0


def test_a_person_sent_nothing_sees_an_empty_dm(
    local_stack: StackConfig, page_as: Callable[[str], Page]
) -> None:
    # Given a DM request, where frank is quiet (and eve not an approver)
    _, title = start(local_stack)
    record = posted(local_stack, title, copies=3)
    eve = page_as("eve")

    eve.locator("#dm-link").click()

    eve.get_by_text("No direct messages from Greenlight to you yet.").wait_for()
    assert row(eve, record.approval_id).count() == 0
