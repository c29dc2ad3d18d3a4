"""A need followed through: someone helps, quantities are given, it closes, helpers are thanked.

A need is open, then "someone is helping" (a helper is recorded: a reply saying "I
can help", or an organizer), then closed ``fulfilled``, ``partly`` (fulfilled) or
``unmet``. Each public step rebuilds the need's ``Note`` and queues its ``Update``
(:func:`sharing.offers.republish_offer`); who helps stays private, except the helpers
who agreed to a public thank-you ("mention me" in a reply, or an organizer's
``--agreed``), whom the thanks ``Note`` mentions. Functions work in the caller's
session: the caller commits.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Literal

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group, RemoteActor
from actors.remote import find_actor, get_actor, resolve_account
from documents.activities import mention
from documents.errors import UserError
from documents.multilingual import Multilingual
from documents.need_replies import help_reply
from documents.phrases import phrases
from federation.content import plain_text, sanitize_html
from posts.models import Post
from posts.notes import publish_rendered_note
from sharing.models import Offer
from sharing.needs_models import NeedHelper, NeedProgress
from sharing.offers import republish_offer
from store.db import utcnow

Outcome = Literal["fulfilled", "partly", "unmet"]
OUTCOMES: tuple[Outcome, ...] = ("fulfilled", "partly", "unmet")
MAX_NAME = 200
_ACCOUNT = re.compile(r"^@?[^@\s]+@[^@\s]+\.[^@\s]+$|^https?://\S+$")


class NeedError(UserError):
    """A need is unknown or closed, a quantity does not fit, a step is not allowed."""


async def find_need(session: AsyncSession, group: Group, need_id: int | str) -> tuple[Offer, Post]:
    """One of ``group``'s needs, by its number (as ``mutuals need`` prints it) or post id."""
    text = str(need_id).strip().rstrip("/").rsplit("/", 1)[-1]
    which = Offer.id == int(text) if text.isdigit() else Post.uid == text
    found = await session.execute(
        select(Offer, Post)
        .join(Post, Post.id == Offer.post_id)
        .where(Offer.group_id == group.id, Offer.kind == "need", Post.deleted_at.is_(None))
        .where(which)
    )
    pair = found.first()
    if pair is None:
        raise NeedError(
            "%(group)s has no need %(need)r; `mutuals board %(group)s` lists the open ones",
            group=group.name,
            need=str(need_id),
        )
    return pair[0], pair[1]


async def _open_need(session: AsyncSession, group: Group, need_id: int | str) -> tuple[Offer, Post]:
    row, post = await find_need(session, group, need_id)
    if row.state != "open":
        raise NeedError(
            "need %(need)s is already %(state)s; only an open need can change",
            need=row.id,
            state=row.state,
        )
    return row, post


async def progress_row(session: AsyncSession, group: Group, row: Offer) -> NeedProgress:
    """The need's ``need_progress`` row, made for a need opened before needs had one."""
    progress = await session.scalar(select(NeedProgress).where(NeedProgress.offer_id == row.id))
    if progress is None:
        progress = NeedProgress(group_id=group.id, offer_id=row.id, urgency="whenever", given=0)
        session.add(progress)
        await session.flush()
    return progress


async def record_given(
    session: AsyncSession, ctx: Context, group: Group, need_id: int | str, quantity: int
) -> Offer:
    """Add ``quantity`` to what an open need was given and queue its ``Update``.

    Refused when the need is unknown, not ``group``'s or closed, when ``quantity`` is
    below 1, or when it is more than the need still lacks (a need without a quantity
    takes any amount). The check and the sum are one ``UPDATE``, so two organizers
    giving at once cannot overshoot.
    """
    if quantity < 1:
        raise NeedError(
            "the quantity given is %(quantity)s; it must be 1 or more", quantity=quantity
        )
    row, post = await _open_need(session, group, need_id)
    progress = await progress_row(session, group, row)
    now = utcnow()
    done = await session.execute(
        update(NeedProgress)
        .where(NeedProgress.id == progress.id)
        .where(
            NeedProgress.quantity.is_(None)
            | (NeedProgress.given + quantity <= NeedProgress.quantity)
        )
        .values(given=NeedProgress.given + quantity, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(progress)
    if done.rowcount != 1:  # type: ignore[attr-defined]
        assert progress.quantity is not None
        raise NeedError(
            "need %(need)s still lacks %(lacking)s (%(given)s of %(total)s given); "
            "%(quantity)s is too many",
            need=row.id,
            lacking=progress.quantity - progress.given,
            given=progress.given,
            total=progress.quantity,
            quantity=quantity,
        )
    await republish_offer(session, ctx, group, row, post, now)
    return row


async def _helper(
    session: AsyncSession, row: Offer, actor: str | None, name: str | None
) -> NeedHelper | None:
    same = NeedHelper.actor_ap_id == actor if actor else NeedHelper.name == name
    return await session.scalar(select(NeedHelper).where(NeedHelper.offer_id == row.id, same))


async def _add_helper(
    session: AsyncSession, ctx: Context, group: Group, row: Offer, post: Post, helper: NeedHelper
) -> NeedHelper:
    was_helping = await session.scalar(select(exists().where(NeedHelper.offer_id == row.id)))
    session.add(helper)
    await session.flush()
    if not was_helping:  # the public step: open → someone is helping
        await republish_offer(session, ctx, group, row, post, helper.created_at)
    return helper


async def add_helper(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    need_id: int | str,
    *,
    account: str | None = None,
    name: str | None = None,
    agreed: bool = False,
    source: str = "organizer",
) -> NeedHelper:
    """Record that an account (an actor id) or a person (``name``) helps with an open need.

    The first helper moves the need to "someone is helping" and queues its ``Update``;
    the same helper again only adds their agreement to be thanked publicly.
    """
    name = (name or "").strip() or None
    if (account is None) == (name is None):
        raise NeedError("name the helper: a fediverse account (user@host) or a person's name")
    if name is not None and len(name) > MAX_NAME:
        raise NeedError("the helper's name is %(length)s characters; the limit is %(limit)s",
                        length=len(name), limit=MAX_NAME)  # fmt: skip
    row, post = await _open_need(session, group, need_id)
    known = await _helper(session, row, account, name)
    if known is not None:
        known.agreed = known.agreed or agreed
        return known
    helper = NeedHelper(
        group_id=group.id, offer_id=row.id, actor_ap_id=account, name=name,
        agreed=agreed, source=source, created_at=utcnow(),
    )  # fmt: skip
    return await _add_helper(session, ctx, group, row, post, helper)


async def assign_helper(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    need_id: int | str,
    who: str,
    *,
    agreed: bool = False,
) -> NeedHelper:
    """An organizer's :func:`add_helper`: ``who`` is an account (``user@host`` or an actor
    URL, looked up) or else a person's name."""
    who = who.strip()
    if not who:
        raise NeedError("name the helper: a fediverse account (user@host) or a person's name")
    account = await resolve_account(ctx, who) if _ACCOUNT.match(who) else None
    return await add_helper(
        session, ctx, group, need_id, account=account, name=None if account else who,
        agreed=agreed, source="organizer",
    )  # fmt: skip


async def reply_to_need(
    session: AsyncSession,
    ctx: Context,
    row: Offer,
    post: Post,
    actor: str,
    note_id: str,
    content: str,
) -> None:
    """Read a reply to an open need: "I can help" makes its author a helper, "mention me"
    their agreement to be thanked (also in a later reply). Anything else changes nothing."""
    if row.kind != "need" or row.state != "open":
        return
    said = help_reply(plain_text(content))
    known = await _helper(session, row, actor, None)
    if known is not None:
        known.agreed = known.agreed or said.agreed
        await session.flush()
        return
    seen = await session.scalar(select(exists().where(NeedHelper.object_ap_id == note_id)))
    if not said.helps or seen:
        return
    group = await session.get(Group, row.group_id)
    assert group is not None
    helper = NeedHelper(
        group_id=row.group_id, offer_id=row.id, actor_ap_id=actor, agreed=said.agreed,
        source="reply", object_ap_id=note_id, created_at=utcnow(),
    )  # fmt: skip
    await _add_helper(session, ctx, group, row, post, helper)


async def helpers_of(session: AsyncSession, row: Offer) -> list[NeedHelper]:
    """A need's helpers, first first (private: for organizers)."""
    found = await session.scalars(
        select(NeedHelper).where(NeedHelper.offer_id == row.id).order_by(NeedHelper.id)
    )
    return list(found)


async def _account(session: AsyncSession, ctx: Context, ap_id: str) -> RemoteActor:
    return await find_actor(session, ap_id) or await get_actor(ctx, session, ap_id)


def _mention_html(actor: RemoteActor) -> str:
    user = html.escape(actor.handle.split("@")[0])
    href = html.escape(actor.url or actor.ap_id)
    link = f'<a href="{href}" class="u-url mention">@<span>{user}</span></a>'
    return f'<span class="h-card">{link}</span>'


async def _thank(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    row: Offer,
    post: Post,
    thanked: list[NeedHelper],
) -> Post:
    accounts = [await _account(session, ctx, h.actor_ap_id) for h in thanked if h.actor_ap_id]
    names = [h.name for h in thanked if h.name]
    words = phrases(row.language).thanks
    shown = [_mention_html(a) for a in accounts] + [html.escape(n) for n in names]
    text = words.format(names=", ".join(shown), title=html.escape(row.title))
    source = words.format(
        names=", ".join([f"@{a.handle}" for a in accounts] + names), title=row.title
    )
    return await publish_rendered_note(
        session, ctx, group, source,
        Multilingual.single(row.language, sanitize_html(f"<p>{text}</p>")),
        [mention(a.ap_id, f"@{a.handle}") for a in accounts], "public",
        in_reply_to=post.document["id"], also=[a.delivery_inbox for a in accounts],
    )  # fmt: skip


async def close_need(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    need_id: int | str,
    outcome: str,
    *,
    thank: bool = False,
    now: dt.datetime | None = None,
) -> tuple[Offer, Post | None]:
    """Close an open need ``fulfilled``, ``partly`` or ``unmet`` and queue its ``Update``;
    with ``thank``, also publish a thank-you ``Note`` (returned) mentioning the helpers who
    agreed, and them only. Nothing changes when the thanks cannot be sent."""
    if outcome not in OUTCOMES:
        raise NeedError(
            "a need closes as fulfilled, partly or unmet, not %(outcome)r", outcome=outcome
        )
    row, post = await find_need(session, group, need_id)
    if row.state != "open":
        raise NeedError(
            "need %(need)s is already %(state)s; a closed need cannot be closed again",
            need=row.id,
            state=row.state,
        )
    thanked = [h for h in await helpers_of(session, row) if h.agreed] if thank else []
    if thank and outcome == "unmet":
        raise NeedError("an unmet need has nobody to thank; close it without --thank")
    if thank and not thanked:
        raise NeedError(
            "no helper of need %(need)s agreed to be thanked publicly; close it without "
            "--thank, or record their agreement (mutuals need help … --agreed)",
            need=row.id,
        )
    now = now or utcnow()
    row.state = outcome
    row.closed_at = now
    await republish_offer(session, ctx, group, row, post, now)
    return row, await _thank(session, ctx, group, row, post, thanked) if thank else None
