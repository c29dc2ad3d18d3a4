"""Accounts, roles, one-time links, sessions and the sign-in limit, on the real database."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from accounts import links, logins, roles, sessions
from accounts.accounts import AccountError, create_account, disable_account, get_account
from accounts.audit import entries
from accounts.models import Account, AuditEntry, LoginFailure, LoginSession, OneTimeLink
from accounts.passwords import BadPassword
from actors.models import Group
from tests.helpers import add_group
from tests.instances import Instance

PASSWORD = "correct horse battery"


async def new_account(instance: Instance, name: str = "ana", **options: bool) -> Account:
    async with instance.ctx.sessions() as session:
        account = await create_account(session, name, PASSWORD, by="test", **options)
        await session.commit()
    return account


async def test_an_account_stores_only_an_argon2id_hash(instance: Instance) -> None:
    account = await new_account(instance, "Ana")

    assert account.username == "ana"
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash


@pytest.mark.parametrize(
    ("name", "password", "error"),
    [
        ("ana", PASSWORD, "the username 'ana' is taken"),
        ("a b", PASSWORD, "'a b' cannot be a username"),
        ("bea", "short", "the password must have at least 10 characters"),
    ],
)
async def test_refused_accounts_say_why(
    instance: Instance, name: str, password: str, error: str
) -> None:
    await new_account(instance)
    async with instance.ctx.sessions() as session:
        with pytest.raises((AccountError, BadPassword), match=error):
            await create_account(session, name, password, by="test")


async def test_roles_are_granted_revoked_and_recorded(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    ana = await new_account(instance)
    bea = await new_account(instance, "bea")
    async with instance.ctx.sessions() as session:
        await roles.grant(session, ana, group, "organizer", by="test")
        await roles.grant(session, bea, group, "liaison", by="ana", handle="@bea@elsewhere.example")
        await session.commit()

        assert await roles.roles_in(session, bea, group) == {"liaison"}
        assert roles.allows({"liaison"}, "liaise")
        assert not roles.allows({"liaison"}, "moderate")
        assert roles.allows({"organizer"}, "roles")
        assert not roles.allows({"editor"}, "roles")

        # The last organizer stays until another is made
        with pytest.raises(roles.RoleError, match="last organizer of eastside"):
            await roles.revoke(session, ana, group, "organizer", by="ana")
        with pytest.raises(roles.RoleError, match="bea is not editor of eastside"):
            await roles.revoke(session, bea, group, "editor", by="ana")
        with pytest.raises(roles.RoleError, match="unknown role 'boss'"):
            await roles.grant(session, bea, group, "boss", by="ana")
        await roles.revoke(session, bea, group, "liaison", by="ana")
        await session.commit()

        log = [(e.actor, e.action, e.detail) for e in await entries(session, group)]
    assert log == [
        ("ana", "revoke", "liaison from bea"),
        ("ana", "grant", "liaison to bea"),
        ("test", "grant", "organizer to ana"),
    ]


async def test_an_invitation_is_used_once(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    async with instance.ctx.sessions() as session:
        token = await links.invite(session, group, "editor", by="ana")
        await session.commit()
        stored = await session.scalar(select(OneTimeLink.token_hash))
    assert stored is not None and token not in stored

    async with instance.ctx.sessions() as session:
        account = await links.accept_invitation(session, token, "cleo", PASSWORD)
        await session.commit()
        assert await roles.roles_in(session, account, group) == {"editor"}

    async with instance.ctx.sessions() as session:
        with pytest.raises(links.LinkError, match="unknown, used or expired"):
            await links.accept_invitation(session, token, "dan", PASSWORD)
        assert (await session.scalars(select(Account.username))).all() == ["cleo"]


async def test_an_expired_invitation_is_refused(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    async with instance.ctx.sessions() as session:
        token = await links.invite(session, group, "editor", by="ana")
        await session.execute(
            update(OneTimeLink).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(1))
        )
        await session.commit()
        with pytest.raises(links.LinkError):
            await links.accept_invitation(session, token, "cleo", PASSWORD)


async def test_a_password_reset_signs_out_everywhere(instance: Instance) -> None:
    ana = await new_account(instance)
    async with instance.ctx.sessions() as session:
        cookie = await sessions.open_session(session, ana, address="127.0.0.1", user_agent="ua")
        token = await links.reset_link(session, ana, by="admin")
        await session.commit()
        assert await sessions.current(session, cookie) is not None

        await links.reset_password(session, token, "a brand new passphrase")
        await session.commit()

        assert await sessions.current(session, cookie) is None
        account = await logins.sign_in(session, "ana", "a brand new passphrase", "127.0.0.1")
        assert account.id == ana.id


async def test_sessions_are_listed_and_revoked(instance: Instance) -> None:
    ana = await new_account(instance)
    async with instance.ctx.sessions() as session:
        first = await sessions.open_session(session, ana, address="10.0.0.1", user_agent="phone")
        await sessions.open_session(session, ana, address="10.0.0.2", user_agent="laptop")
        await session.commit()
        listed = await sessions.sessions_of(session, ana)
        assert [login.user_agent for login in listed] == ["laptop", "phone"]

        assert await sessions.revoke_session(session, ana, listed[1].id)
        await session.commit()
        assert await sessions.current(session, first) is None
        assert [login.user_agent for login in await sessions.sessions_of(session, ana)] == [
            "laptop"
        ]


async def test_an_idle_session_ends(instance: Instance) -> None:
    ana = await new_account(instance)
    async with instance.ctx.sessions() as session:
        cookie = await sessions.open_session(session, ana, address="", user_agent="")
        await session.execute(
            update(LoginSession).values(seen_at=dt.datetime.now(dt.UTC) - sessions.IDLE * 2)
        )
        await session.commit()
        assert await sessions.current(session, cookie) is None


async def test_failed_sign_ins_are_limited_per_account(instance: Instance) -> None:
    await new_account(instance)
    async with instance.ctx.sessions() as session:
        for _ in range(logins.PER_ACCOUNT):
            with pytest.raises(logins.LoginRefused, match="wrong username or password"):
                await logins.sign_in(session, "ana", "wrong guess!", "10.0.0.9")
            await session.commit()
        # Then even the right password waits
        with pytest.raises(logins.LoginRefused, match="too many failed sign-ins: try again in"):
            await logins.sign_in(session, "ana", PASSWORD, "10.0.0.10")

        # Until the failures are older than the window
        await session.execute(
            update(LoginFailure).values(at=dt.datetime.now(dt.UTC) - logins.WINDOW * 2)
        )
        await session.commit()
        assert (await logins.sign_in(session, "ana", PASSWORD, "10.0.0.10")).username == "ana"


async def test_failed_sign_ins_are_limited_per_address(instance: Instance) -> None:
    async with instance.ctx.sessions() as session:
        for n in range(logins.PER_ADDRESS):
            with pytest.raises(logins.LoginRefused):
                await logins.sign_in(session, f"nobody{n}", "guess guess", "10.0.0.66")
            await session.commit()
        await new_account(instance, "zoe")
        with pytest.raises(logins.LoginRefused, match="too many failed sign-ins"):
            await logins.sign_in(session, "zoe", PASSWORD, "10.0.0.66")
        assert (await logins.sign_in(session, "zoe", PASSWORD, "10.0.0.67")).username == "zoe"


async def test_a_disabled_account_cannot_sign_in(instance: Instance) -> None:
    ana = await new_account(instance)
    async with instance.ctx.sessions() as session:
        cookie = await sessions.open_session(session, ana, address="", user_agent="")
        await disable_account(session, await get_account(session, "ana"), by="admin")
        await session.commit()
        assert await sessions.current(session, cookie) is None
        with pytest.raises(logins.LoginRefused, match="this account is disabled"):
            await logins.sign_in(session, "ana", PASSWORD, "10.0.0.1")
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert "account disabled" in actions


async def test_deleting_a_group_removes_its_roles(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    ana = await new_account(instance)
    async with instance.ctx.sessions() as session:
        await roles.grant(session, ana, group, "organizer", by="test")
        await session.commit()
        await session.delete(await session.get(Group, group.id))
        await session.commit()
        assert await roles.groups_of(session, ana) == {}
