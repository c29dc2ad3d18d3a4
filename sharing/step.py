"""The periodic step of shared things: expire offers, send poll tallies, move events on,
open surveys whose opening time has come, draft the transparency reports of the month
just over.

Run by the workers next to the queue workers (``web.workers.worker_steps``); like
them it returns how many rows it changed, so an idle step costs a few small queries.
"""

from __future__ import annotations

import datetime as dt

from actors.instance import Context
from sharing.events import advance_repeating
from sharing.offers import expire_offers
from sharing.polls import publish_tallies
from sharing.surveys import open_due_surveys
from sharing.transparency import prepare_due_drafts
from store.db import utcnow


async def run_once(ctx: Context, now: dt.datetime | None = None) -> int:
    """Apply everything due at ``now`` in one transaction; how many posts changed."""
    now = now or utcnow()
    async with ctx.sessions() as session:
        changed = await expire_offers(session, ctx, now)
        changed += await publish_tallies(session, ctx, now)
        changed += await advance_repeating(session, ctx, now)
        changed += await open_due_surveys(session, ctx, now)
        await prepare_due_drafts(session, now)  # drafts are not posts: not counted
        await session.commit()
    return changed
