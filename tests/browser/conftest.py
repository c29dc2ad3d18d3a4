"""Fixtures of the browser tests: chromium driven by Playwright, a fresh page per test.

Each test launches its own browser (under a second): pytest-asyncio gives every test
its own event loop, and a Playwright browser belongs to the loop that started it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Error, Page, async_playwright

from tests.browser.support import CHROMIUM_ARGS, Screenshots, chromium_path


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Headless chromium (Debian's), closed after the test."""
    executable = chromium_path()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A page in a fresh context; the test fails if a script on it threw."""
    context = await browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-GB")
    opened = await context.new_page()
    errors: list[Error] = []
    opened.on("pageerror", lambda error: errors.append(error))
    try:
        yield opened
    finally:
        await context.close()
    assert not errors, f"scripts failed on the page: {errors}"


@pytest.fixture
def screenshot(tmp_path: Path) -> Screenshots:
    """``await screenshot(page, name)``: a full-page PNG under tmp_path (its path printed),
    also written to ``$MUTUALS_SCREENSHOTS/NAME.png`` when that is set (``make screenshots``)."""
    return Screenshots(tmp_path)
