"""The instance admin's accounts page: create, make a reset link, disable."""

from __future__ import annotations

import re

from tests.admin.support import PASSWORD, add_account, post_form, signed_in
from tests.instances import Instance

PAGE = "/admin/accounts"


async def test_an_admin_creates_resets_and_disables_accounts(instance: Instance) -> None:
    await add_account(instance, "root", admin=True)
    async with signed_in(instance, "root") as client:
        weak = await post_form(
            client, PAGE, {"action": "create", "username": "cleo", "password": "short"}
        )
        assert weak.status_code == 400
        assert "the password must have at least 10 characters" in weak.text
        assert 'value="cleo"' in weak.text

        made = await post_form(
            client, PAGE, {"action": "create", "username": "cleo", "password": PASSWORD}
        )
        assert made.status_code == 303
        listed = await client.get(PAGE)
        assert "<td>cleo</td>" in listed.text

        reset = await post_form(client, PAGE, {"action": "reset", "username": "cleo"})
        link = re.search(rf"{re.escape(instance.base_url)}(/reset/[\w-]+)", reset.text)
        assert link, reset.text

        gone = await post_form(client, PAGE, {"action": "disable", "username": "cleo"})
        assert gone.status_code == 303
        unknown = await post_form(client, PAGE, {"action": "disable", "username": "zed"})
        assert unknown.status_code == 400
        assert "no account named &#39;zed&#39;" in unknown.text

    async with instance.client() as client:
        refused = await post_form(client, "/login", {"username": "cleo", "password": PASSWORD})
        assert "this account is disabled" in refused.text
        # A disabled account's reset link no longer helps
        answer = await post_form(
            client, link[1], {"password": "a fresh passphrase", "again": "a fresh passphrase"}
        )
        assert answer.status_code == 400
        assert "this account is disabled" in answer.text
