"""A real browser (Debian's chromium, driven by Playwright) on the local Slack page."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page

    from localdev.config import StackConfig

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As root in a sandbox with no network: no sandbox, no background calls home.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page_as(browser: Browser, local_stack: StackConfig) -> Iterator[object]:
    """Open the local Slack page acting as someone: `page_as("bob")`."""
    pages: list[Page] = []

    def open_as(name: str) -> Page:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{local_stack.url('slack')}/?as={name}")
        page.wait_for_selector("#messages")
        pages.append(page)
        return page

    yield open_as
    for page in pages:
        page.close()
