"""The Distribution page in a real browser: reached by its link, used by clicking, checked
with axe-core; and the criteria it publishes, on the group's public page.

Screenshots: ``admin-distribution`` and ``public-criteria``.
"""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.admin.support import add_account
from tests.browser.support import Screenshots, assert_accessible
from tests.browser.test_admin_network import sign_in
from tests.helpers import add_group
from tests.instances import Instance


async def _fill(page: Page, fields: dict[str, str], button: str) -> None:
    """Fill the fields of the form whose button is ``button``, by label; send it."""
    scope = page.locator("form", has=page.get_by_role("button", name=button, exact=True))
    for label, value in fields.items():
        await scope.get_by_label(label, exact=True).fill(value)
    await scope.get_by_role("button", name=button, exact=True).click()


async def test_record_limit_wait_serve_and_publish(
    instance: Instance, page: Page, screenshot: Screenshots
) -> None:
    pantry = await add_group(instance, "pantry", display_name="Eastside pantry")
    await add_account(instance, "mo", pantry, "moderator")
    await sign_in(page, instance.base_url, "mo")
    await page.goto(instance.base_url + "/admin/groups/pantry/")
    await page.get_by_role("link", name="Distribution", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Distribution in Eastside pantry"
    )
    await _fill(
        page,
        {"Category": "Food boxes", "At most, per recipient": "2", "In any period of days": "7"},
        "Save the limit",
    )  # fmt: skip
    await expect(page.get_by_role("status")).to_have_text("The limit is saved.")
    for who, n in (("household 14", "2"), ("household 9", "1")):
        await _fill(
            page,
            {"Recipient (a name or a code)": who, "What (category)": "food boxes", "How many": n},
            "Record",
        )  # fmt: skip
        await expect(page.get_by_role("status")).to_have_text("Recorded.")
    # Over the limit: refused, saying when; then put on the waiting list, then served.
    await _fill(
        page,
        {"Recipient (a name or a code)": "household 14", "What (category)": "food boxes",
         "How many": "1"},
        "Record",
    )  # fmt: skip
    await expect(page.get_by_role("alert")).to_contain_text(
        "household 14 may receive at most 2 food boxes in 7 days"
    )
    await _fill(
        page,
        {"Recipient (a name or a code)": "household 3", "What (category)": "food boxes",
         "How many": "1"},
        "Add to the waiting list",
    )  # fmt: skip
    await expect(page.get_by_role("row", name="food boxes household 3 1")).to_be_visible()
    await _fill(
        page,
        {"Published on the group's page (Markdown)": (
            "Families with young children **first**; at most 2 food boxes a week each."
        )},
        "Publish the criteria",
    )  # fmt: skip
    await expect(page.get_by_role("status")).to_have_text(
        "The criteria are published on the group's page."
    )
    await expect(page.get_by_role("row", name="household 9 food boxes 1 mo")).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, "admin-distribution")
    await _fill(
        page, {"What arrived (category)": "food boxes", "How many arrived": "3"},
        "Serve the waiting list",
    )  # fmt: skip
    await expect(page.get_by_role("status")).to_have_text("Served 1 waiting recipients.")
    await expect(page.get_by_text("Nobody is waiting.")).to_be_visible()

    # The public page shows the criteria, and no recipient.
    await page.goto(f"{instance.base_url}/groups/{pantry.uid}")
    criteria = page.get_by_role("region", name="How we share fairly")
    await expect(criteria).to_contain_text("Families with young children first")
    await expect(criteria.locator("strong")).to_have_text("first")
    assert "household" not in (await page.content())
    await assert_accessible(page)
    await screenshot(page, "public-criteria")
