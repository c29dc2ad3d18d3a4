"""Every admin route refuses anonymous visitors, accounts without a role, and roles too low.

Table-driven from ``web.routes.admin.PAGES``: a new page is walked without a new test.
"""

from __future__ import annotations

import httpx
import pytest

from accounts.roles import PERMISSIONS, ROLES
from documents.multilingual import Multilingual
from sharing.offers import open_offer
from tests.admin.support import add_account, csrf_of, signed_in
from tests.helpers import add_group
from tests.instances import Instance
from web.guard import ADMIN
from web.routes.admin import PAGES

VISITORS = ("anonymous", "no role", *ROLES, "admin")


def expected(permission: str, visitor: str, path: str) -> int:
    """The status a visitor gets on a page needing ``permission``."""
    if visitor == "anonymous":
        return 303
    if permission == ADMIN:
        return 200 if visitor == "admin" else 403
    if "{name}" not in path:
        return 200
    return 200 if visitor in PERMISSIONS[permission] else 403


async def test_every_admin_route_with_every_kind_of_visitor(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    async with instance.ctx.sessions() as session:
        need = await open_offer(
            session, instance.ctx, group, "need", Multilingual.single("en", "Food boxes")
        )
        await session.commit()
    await add_account(instance, "nobody")
    await add_account(instance, "admin", admin=True)
    for role in ROLES:
        await add_account(instance, role, group, role)

    for visitor in VISITORS:
        if visitor == "anonymous":
            async with instance.client() as client:
                await walk(client, visitor, need.id)
        else:
            async with signed_in(instance, "nobody" if visitor == "no role" else visitor) as client:
                await walk(client, visitor, need.id)


async def walk(client: httpx.AsyncClient, visitor: str, need: int) -> None:
    """Every admin page as ``visitor`` (a page about one need, about ``need``): the status
    each must answer."""
    for path, _page, permission, methods in PAGES:
        url = path.replace("{name}", "eastside").replace("{need}", str(need))
        assert "{" not in url, f"give walk() a value for the parameters of {path}"
        answer = await client.get(url)
        want = expected(permission, visitor, path)
        assert answer.status_code == want, (visitor, url, answer.text)
        if want == 303:
            assert answer.headers["location"] == f"/login?next={url}"
        if want == 403:
            assert "Not allowed" in answer.text
        if "POST" in methods and want == 403:
            # A POST with a valid token is refused the same way
            token = csrf_of(await client.get("/admin/"))
            posted = await client.post(url, data={"csrf": token})
            assert posted.status_code == 403, (visitor, url)


async def test_a_post_without_the_form_token_is_refused(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "ana", group, "organizer")
    await add_account(instance, "bea")
    async with signed_in(instance, "ana") as client:
        answer = await client.post(
            "/admin/groups/eastside/team",
            data={"action": "grant", "username": "bea", "role": "editor"},
        )
        assert answer.status_code == 403
        assert "This form has expired or did not come from this site" in answer.text
        wrong = await client.post(
            "/admin/groups/eastside/team",
            data={"csrf": "forged", "action": "grant", "username": "bea", "role": "editor"},
        )
        assert wrong.status_code == 403
        team = await client.get("/admin/groups/eastside/team")
    assert "<td>bea" not in team.text


async def test_the_role_is_checked_before_the_form_is_read(instance: Instance) -> None:
    # An upload is read only once the visitor may send it: without the role, the form
    # (here with no token at all) is refused for the role, not for its token.
    group = await add_group(instance, "eastside")
    await add_account(instance, "mo", group, "moderator")
    async with signed_in(instance, "mo") as client:
        answer = await client.post(
            "/admin/groups/eastside/profile",
            files={"icon": ("icon.png", b"\x89PNG" + bytes(100_000), "image/png")},
        )
    assert answer.status_code == 403
    assert "This needs the role organizer in eastside." in answer.text


@pytest.mark.parametrize("cookie", ["forged", "token.0000", ""])
async def test_a_cookie_not_signed_here_is_no_session(instance: Instance, cookie: str) -> None:
    async with instance.client(cookies={"mutuals_session": cookie}) as client:
        answer = await client.get("/admin/")
    assert answer.status_code == 303
