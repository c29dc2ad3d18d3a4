"""The grievance process: a report goes from ``open`` to ``mediation`` to ``resolved`` or
``dismissed``, with a mediator, private notes and an outcome for the people involved.

Every change is written to the group's action log (``accounts.audit``) and, when the
status changes, the person who asked to be told gets a private message
(``moderation.notices``). The command line and the admin pages call these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import audit
from accounts.accounts import find_account
from accounts.models import Account
from accounts.roles import allows, members, roles_in
from actors.instance import Context
from actors.models import Group
from documents.errors import UserError
from federation.origin import netloc_of
from moderation.models import Report, ReportCase, ReportNote
from moderation.notices import tell_reporter
from store.db import utcnow

STATUSES = ("open", "mediation", "resolved", "dismissed")
"""A report's statuses, in the order it moves through them."""
CLOSED = {"resolved": "resolve", "dismissed": "dismiss"}
"""The closing statuses, with the action that sets each (as the log names it)."""
OPEN_STATUSES = tuple(status for status in STATUSES if status not in CLOSED)
"""The statuses of a report still waiting for its outcome (the dashboard counts them)."""
NOTE_LIMIT = 5000
"""The longest note or outcome kept, in characters."""


class GrievanceError(UserError):
    """A report that does not exist here, or a change the process does not allow."""


@dataclass(frozen=True)
class Grievance:
    """A report with where its process stands, and its mediator's name (None: nobody)."""

    report: Report
    case: ReportCase
    mediator: str | None


async def open_case(
    session: AsyncSession,
    report: Report,
    *,
    notify: str | None = None,
    forwarded_to: str | None = None,
) -> ReportCase:
    """Start the process for a new ``report`` (flushed): open, with nobody assigned."""
    case = ReportCase(
        report_id=report.id,
        group_id=report.group_id,
        notify_ap_id=notify,
        forwarded_to=forwarded_to,
    )
    session.add(case)
    await session.flush()
    return case


async def grievances(
    session: AsyncSession, group: Group, status: str | None = None
) -> list[Grievance]:
    """The group's reports, newest first (only those with ``status``, if given)."""
    query = _with_cases().where(Report.group_id == group.id).order_by(Report.id.desc())
    if status is not None:
        query = query.where(ReportCase.status == check_status(status))
    return await _read(session, query)


def _with_cases() -> Select[Report, ReportCase, str]:
    """Reports with their case and their mediator account's username."""
    return (
        select(Report, ReportCase, Account.username)
        .join(ReportCase, ReportCase.report_id == Report.id)
        .outerjoin(Account, Account.id == ReportCase.mediator_account_id)
    )


async def _read(session: AsyncSession, query: Select[Report, ReportCase, str]) -> list[Grievance]:
    rows = await session.execute(query)
    return [Grievance(r, c, name or c.mediator_ally) for r, c, name in rows]


def parse_number(text: str) -> int:
    """A report number as the lists show it (``#12``) or bare (``12``)."""
    value = text.strip().removeprefix("#")
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        raise GrievanceError("%(text)r is not a report number such as 12", text=text[:20])
    return int(value)


def check_status(status: str) -> str:
    """``status`` if it is one of `STATUSES`; else a `GrievanceError` naming them."""
    if status not in STATUSES:
        raise GrievanceError(
            "unknown status %(status)r: choose one of %(statuses)s",
            status=status[:50],
            statuses=", ".join(STATUSES),
        )
    return status


async def get_grievance(session: AsyncSession, group: Group, report_id: int) -> Grievance:
    """Report ``report_id`` of ``group``; a `GrievanceError` for one unknown or of another group."""
    query = _with_cases().where(Report.id == report_id, Report.group_id == group.id)
    found = await _read(session, query)
    if not found:
        raise GrievanceError(
            "%(group)s has no report #%(id)s (see `mutuals reports %(group)s`)",
            group=group.name,
            id=report_id,
        )
    return found[0]


async def _still_open(session: AsyncSession, group: Group, report_id: int) -> Grievance:
    grievance = await get_grievance(session, group, report_id)
    if grievance.case.status == "resolved":
        raise GrievanceError(
            "report #%(id)s is already resolved: a closed report is not changed again",
            id=report_id,
        )
    if grievance.case.status == "dismissed":
        raise GrievanceError(
            "report #%(id)s is already dismissed: a closed report is not changed again",
            id=report_id,
        )
    return grievance


def _text(text: str, empty: GrievanceError) -> str:
    """``text`` stripped; ``empty`` when there is nothing left, or an error when too long."""
    value = text.strip()
    if not value:
        raise empty
    if len(value) > NOTE_LIMIT:
        raise GrievanceError(
            "a note or an outcome holds at most %(limit)s characters", limit=NOTE_LIMIT
        )
    return value


def _ally(case: ReportCase, report_id: int, name: str) -> str:
    """The ally server ``name`` names, if report ``report_id`` was forwarded there."""
    wanted = netloc_of(name) if "://" in name else name.strip().lower().rstrip("/")
    if case.forwarded_to is None:
        raise GrievanceError(
            "%(name)r is no moderator here, and report #%(id)s was not sent on to another "
            "server: give a moderator's username",
            name=name[:100],
            id=report_id,
        )
    ally = netloc_of(case.forwarded_to)
    if wanted != ally:
        raise GrievanceError(
            "%(name)r is no moderator here, and report #%(id)s was sent on to %(ally)s only: "
            "give a moderator's username or %(ally)s",
            name=name[:100],
            id=report_id,
            ally=ally,
        )
    return ally


async def assign(
    session: AsyncSession, ctx: Context, group: Group, report_id: int, mediator: str, *, by: str
) -> Grievance:
    """Make ``mediator`` (a username holding a moderating role in the group, or the ally
    server the report was forwarded to) the report's mediator: it is then in mediation."""
    grievance = await _still_open(session, group, report_id)
    case = grievance.case
    account = await find_account(session, mediator)
    if account is not None:
        if account.disabled or not allows(await roles_in(session, account, group), "moderate"):
            raise GrievanceError(
                "%(account)s is not a moderator of %(group)s: grant the role first "
                "(`mutuals account grant %(account)s %(group)s moderator`)",
                account=account.username,
                group=group.name,
            )
        case.mediator_account_id, case.mediator_ally, name = account.id, None, account.username
    else:
        ally = _ally(case, report_id, mediator)
        case.mediator_account_id, case.mediator_ally, name = None, ally, ally
    await audit.record(session, by, "report assign", group, f"#{report_id} to {name}")
    return await _move(session, ctx, group, grievance, "mediation", name)


async def add_note(
    session: AsyncSession, group: Group, report_id: int, text: str, *, by: str
) -> ReportNote:
    """Add a private note to the report (a closed one too: notes change nothing)."""
    grievance = await get_grievance(session, group, report_id)
    note = ReportNote(
        case_id=grievance.case.id,
        author=by,
        text=_text(text, GrievanceError("the note is empty: write it")),
    )
    session.add(note)
    await audit.record(session, by, "report note", group, f"#{report_id}")
    await session.flush()
    return note


async def close(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    report_id: int,
    status: str,
    outcome: str,
    *,
    by: str,
) -> Grievance:
    """Resolve or dismiss the report with an ``outcome`` written for the people involved."""
    if status not in CLOSED:
        raise ValueError(f"a report is closed as resolved or dismissed, not {status!r}")
    grievance = await _still_open(session, group, report_id)
    grievance.case.outcome = _text(outcome, GrievanceError("the outcome is empty: write it"))
    await audit.record(session, by, f"report {CLOSED[status]}", group, f"#{report_id}")
    return await _move(session, ctx, group, grievance, status, grievance.mediator)


async def _move(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    grievance: Grievance,
    status: str,
    mediator: str | None,
) -> Grievance:
    """Set the new status (telling the reporter when it changed) and flush."""
    case = grievance.case
    changed = case.status != status
    case.status, case.updated_at = status, utcnow()
    if changed:
        await tell_reporter(session, ctx, group, grievance.report, case)
    await session.flush()
    return Grievance(grievance.report, case, mediator)


async def notes_of(session: AsyncSession, case: ReportCase) -> Sequence[ReportNote]:
    """A report's private notes, oldest first."""
    rows = await session.scalars(
        select(ReportNote).where(ReportNote.case_id == case.id).order_by(ReportNote.id)
    )
    return rows.all()


async def mediators(session: AsyncSession, group: Group, case: ReportCase) -> list[str]:
    """Who may mediate the report: the group's moderators and organizers (usernames),
    then the ally server it was forwarded to, if any."""
    names = [
        account.username
        for role, account in await members(session, group)
        if allows({role.role}, "moderate") and not account.disabled
    ]
    ally = [netloc_of(case.forwarded_to)] if case.forwarded_to else []
    return [*dict.fromkeys(names), *ally]
