"""Signing in and out, invitations and resets, over real HTTP."""

from __future__ import annotations

import re

import pyotp
from sqlalchemy import select

from accounts import links, logins
from accounts.models import AuditEntry
from tests.admin.support import PASSWORD, add_account, csrf_of, post_form, signed_in
from tests.helpers import add_group
from tests.instances import Instance


async def test_sign_in_sets_a_safe_cookie_and_sign_out_ends_it(instance: Instance) -> None:
    await add_account(instance, "ana")
    async with instance.client() as client:
        client.cookies.set("mutuals_session", "attacker.chosen", domain="127.0.0.1")
        page = await client.get("/login")
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store"
        answer = await client.post(
            "/login?next=/admin/account",
            data={"csrf": csrf_of(page), "username": "Ana", "password": PASSWORD},
        )
        assert answer.status_code == 303
        assert answer.headers["location"] == "/admin/account"
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith("mutuals_session=")
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert "Secure" not in cookie  # development mode: plain http on loopback
        # A new session, not the one the browser brought (no fixation)
        assert not cookie.startswith("mutuals_session=attacker.chosen")

        account = await client.get("/admin/account")
        assert account.status_code == 200
        assert "Signed in as ana" in account.text

        out = await post_form(client, "/logout", {}, from_page="/admin/account")
        assert out.status_code == 303
        assert (await client.get("/admin/")).status_code == 303


async def test_a_wrong_password_says_so_and_keeps_the_username(instance: Instance) -> None:
    await add_account(instance, "ana")
    async with instance.client() as client:
        answer = await post_form(client, "/login", {"username": "ana", "password": "nope nope"})
        assert answer.status_code == 400
        assert "wrong username or password" in answer.text
        assert 'value="ana"' in answer.text
        for _ in range(logins.PER_ACCOUNT - 1):
            await post_form(client, "/login", {"username": "ana", "password": "nope nope"})
        limited = await post_form(client, "/login", {"username": "ana", "password": PASSWORD})
    assert limited.status_code == 400
    assert "too many failed sign-ins: try again in 15 minute(s)" in limited.text


async def test_a_login_form_without_its_token_is_refused(instance: Instance) -> None:
    await add_account(instance, "ana")
    async with instance.client() as client:
        answer = await client.post("/login", data={"username": "ana", "password": PASSWORD})
    assert answer.status_code == 400
    assert "This form has expired" in answer.text
    assert "mutuals_session" not in answer.headers.get("set-cookie", "")


async def test_an_invitation_creates_the_account_and_signs_in(instance: Instance) -> None:
    group = await add_group(instance, "eastside", display_name="East <b>side</b>")
    async with instance.ctx.sessions() as session:
        token = await links.invite(session, group, "editor", by="ana")
        await session.commit()
    path = f"/invite/{token}"
    async with instance.client() as client:
        page = await client.get(path)
        assert "Join East &lt;b&gt;side&lt;/b&gt;" in page.text
        differ = await client.post(
            path,
            data={"csrf": csrf_of(page), "username": "cleo", "password": PASSWORD, "again": "x"},
        )
        assert differ.status_code == 400
        assert "The two passwords differ." in differ.text
        assert 'value="cleo"' in differ.text
        done = await post_form(
            client, path, {"username": "cleo", "password": PASSWORD, "again": PASSWORD}
        )
        assert done.status_code == 303
        assert done.headers["location"] == "/admin/groups/eastside/"
        dashboard = await client.get("/admin/groups/eastside/")
        assert "your roles: editor" in dashboard.text
        assert "<b>side</b>" not in dashboard.text
    async with instance.client() as client:
        again = await client.get(path)
    assert again.status_code == 404
    assert "unknown, used or expired" in again.text


async def test_a_reset_link_sets_the_password(instance: Instance) -> None:
    await add_account(instance, "ana")
    async with instance.ctx.sessions() as session:
        account = await logins.sign_in(session, "ana", PASSWORD, "127.0.0.1")
        token = await links.reset_link(session, account, by="admin")
        await session.commit()
    async with instance.client() as client:
        done = await post_form(
            client,
            f"/reset/{token}",
            {"password": "a new long passphrase", "again": "a new long passphrase"},
        )
        assert done.status_code == 303
        assert done.headers["location"] == "/login?reset=1"
        notice = await client.get("/login?reset=1")
        assert "Your new password is set" in notice.text
        ok = await post_form(
            client, "/login", {"username": "ana", "password": "a new long passphrase"}
        )
    assert ok.status_code == 303


async def test_organizers_manage_the_team_and_see_the_log(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "ana", group, "organizer")
    await add_account(instance, "bea")
    async with signed_in(instance, "ana") as client:
        team = "/admin/groups/eastside/team"
        granted = await post_form(
            client, team, {"action": "grant", "username": "bea", "role": "moderator"}
        )
        assert granted.status_code == 303
        unknown = await post_form(
            client, team, {"action": "grant", "username": "zed", "role": "moderator"}
        )
        assert unknown.status_code == 400
        assert "no account named &#39;zed&#39;" in unknown.text
        invite = await post_form(client, team, {"action": "invite", "role": "liaison"})
        link = re.search(rf"{re.escape(instance.base_url)}/invite/[\w-]+", invite.text)
        assert link, invite.text
        last = await post_form(
            client, team, {"action": "revoke", "username": "ana", "role": "organizer"}
        )
        assert "ana is the last organizer of eastside" in last.text
        log = await client.get("/admin/groups/eastside/log")
    assert "moderator to bea" in log.text
    async with instance.ctx.sessions() as session:
        actors = set((await session.scalars(select(AuditEntry.actor))).all())
    assert "ana" in actors


async def test_a_session_ended_elsewhere_signs_that_browser_out(instance: Instance) -> None:
    await add_account(instance, "ana")
    async with (
        signed_in(instance, "ana", headers={"user-agent": "phone"}) as phone,
        signed_in(instance, "ana") as laptop,
    ):
        page = await laptop.get("/admin/account")
        assert "phone" in page.text
        ids = re.findall(r'name="session" value="(\d+)"', page.text)
        assert len(ids) == 2
        # Newest first: the laptop, then the phone
        ended = await laptop.post(
            "/admin/account",
            data={"csrf": csrf_of(page), "action": "end-session", "session": ids[1]},
        )
        assert ended.status_code == 303
        assert (await phone.get("/admin/")).status_code == 303
        assert (await laptop.get("/admin/")).status_code == 200


async def test_two_step_sign_in(instance: Instance) -> None:
    await add_account(instance, "ana")
    async with signed_in(instance, "ana") as client:
        # Set up: the page shows a key; a wrong code is refused, the right one turns it on
        started = await post_form(client, "/admin/account", {"action": "totp-start"})
        key = re.search(r'<code class="secret">([A-Z2-7]+)</code>', started.text)
        assert key, started.text
        assert f"otpauth://totp/{instance.host}:ana?secret={key[1]}" in started.text.replace(
            "%3A", ":"
        )
        confirm = {"action": "totp-confirm", "secret": key[1]}
        wrong = await post_form(client, "/admin/account", {**confirm, "code": "000000"})
        assert wrong.status_code == 400
        assert "that code is not the current one" in wrong.text
        on = await post_form(
            client, "/admin/account", {**confirm, "code": pyotp.TOTP(key[1]).now()}
        )
        assert on.status_code == 303
        assert "On: signing in asks for the code" in (await client.get("/admin/account")).text

    async with instance.client() as client:
        login = {"username": "ana", "password": PASSWORD}
        missing = await post_form(client, "/login", login)
        assert missing.status_code == 400
        assert "enter the current code of your authenticator app" in missing.text
        bad = await post_form(client, "/login", {**login, "code": "123456"})
        assert "that code is not the current one" in bad.text
        good = await post_form(client, "/login", {**login, "code": pyotp.TOTP(key[1]).now()})
        assert good.status_code == 303

        # Turning it off asks for the password
        off = {"action": "totp-off", "password": "not it at all"}
        refused = await post_form(client, "/admin/account", off)
        assert refused.status_code == 400 and "wrong password" in refused.text
        done = await post_form(client, "/admin/account", {**off, "password": PASSWORD})
        assert done.status_code == 303
    async with instance.client() as client:
        again = await post_form(client, "/login", login)
    assert again.status_code == 303
