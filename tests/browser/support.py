"""Driving Debian's chromium with Playwright, checking pages with axe-core, screenshots.

Playwright's own browser download is not used: the browser is the ``chromium`` Debian
package (``make install`` installs it), or the binary ``MUTUALS_CHROMIUM`` names.
axe-core is the copy ``axe-playwright-python`` ships.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, ViewportSize

CHROMIUM = os.environ.get("MUTUALS_CHROMIUM") or "/usr/bin/chromium"
# Without the background-networking flags chromium reaches out (updates, sync, field
# trials) and the closed network of the test machines refuses it noisily.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = ("serious", "critical")


SCRIPT = '<script>window.pwned = 1</script><img src="x" onerror="window.pwned = 2">'
"""Runs if a page lets it through as markup: `assert_no_script_ran` then finds window.pwned."""
PHONE: ViewportSize = {"width": 375, "height": 800}
"""A phone's window, for `assert_fits_the_width`."""


def chromium_path() -> str:
    """The chromium binary to drive; fails (never skips) the test when it is missing."""
    found = shutil.which(CHROMIUM)
    if found is None:
        pytest.fail(
            f"no chromium at {CHROMIUM}: the browser tests need Debian's chromium package. "
            "Run `make install` (as root it installs it), or `apt-get install chromium`, "
            "or point MUTUALS_CHROMIUM at a chromium binary.",
            pytrace=False,
        )
    return found


def _violation_lines(violations: list[dict[str, Any]]) -> list[str]:
    lines = []
    for violation in violations:
        targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"])
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return lines


async def assert_accessible(page: Page) -> None:
    """Run axe-core on the page; fail listing every serious or critical violation."""
    results = await Axe().run(page)
    violations = results.response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe-core on {page.url}:\n" + "\n".join(_violation_lines(blocking))


class Screenshots:
    """Full-page PNGs under pytest's tmp dir, and in ``MUTUALS_SCREENSHOTS`` when set."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        published = os.environ.get("MUTUALS_SCREENSHOTS")
        self.published = Path(published) if published else None

    async def __call__(self, page: Page, name: str, *, publish: bool = True) -> Path:
        """Save the page as ``NAME.png``; copy it to the published folder unless told not to
        (pages full of test payloads have no place in the README)."""
        path = self.tmp / f"{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        print(f"screenshot {name}: {path}")
        if publish and self.published is not None:
            self.published.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, self.published / f"{name}.png")
        return path


async def visit(page: Page, url: str) -> None:
    """Open ``url`` as a person would; it must answer 200 with an HTML page."""
    response = await page.goto(url)
    assert response is not None
    assert response.status == 200, (url, response.status, await response.text())
    assert response.headers["content-type"].startswith("text/html"), response.headers


async def assert_no_script_ran(page: Page) -> None:
    """Nothing from a payload became markup: no script ran, no element came in."""
    assert await page.evaluate("typeof window.pwned") == "undefined"
    assert await page.locator("main script, main img[onerror], main [onerror]").count() == 0


async def assert_fits_the_width(page: Page) -> None:
    """No text, however long, widens the page past the window."""
    scroll, window = await page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll <= window, f"{page.url} is {scroll}px wide in a {window}px window"
