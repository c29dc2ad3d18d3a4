"""The liaison follows another group through the web page; it accepts; the page says so."""

from __future__ import annotations

from tests.admin.support import add_account, post_form, signed_in
from tests.conftest import InstanceFactory
from tests.helpers import add_group
from tests.instances import settle

PAGE = "/admin/groups/eastside/following"


async def test_a_liaison_follows_and_unfollows_a_group_elsewhere(
    make_instance: InstanceFactory,
) -> None:
    here, there = await make_instance(), await make_instance()
    group = await add_group(here, "eastside")
    await add_group(there, "westside")
    await add_account(here, "lia", group, "liaison")
    async with signed_in(here, "lia") as client:
        nowhere = await post_form(client, PAGE, {"action": "follow", "account": "not a handle"})
        assert nowhere.status_code == 400
        assert "&#39;not a handle&#39; is neither user@host nor an actor URL" in nowhere.text
        assert 'value="not a handle"' in nowhere.text

        asked = await post_form(
            client, PAGE, {"action": "follow", "account": f"westside@{there.host}"}
        )
        assert asked.status_code == 303
        assert "waiting for their answer" in (await client.get(PAGE)).text

        await settle(here, there)
        page = await client.get(PAGE)
        assert f"westside@{there.host}" in page.text
        assert "accepted" in page.text

        stopped = await post_form(
            client, PAGE, {"action": "unfollow", "account": f"{there.base_url}/groups/westside"}
        )
        assert stopped.status_code == 303
        assert "This group follows nobody yet." in (await client.get(PAGE)).text
