"""``mutuals report …`` and ``mutuals reports``: making reports and the grievance process."""

from __future__ import annotations

import argparse
from typing import Any

from accounts import audit
from moderation.grievances import (
    CLOSED,
    STATUSES,
    GrievanceError,
    add_note,
    assign,
    close,
    grievances,
    parse_number,
)
from moderation.reports import make_report
from web.commands.base import add_command, group_session
from web.settings import Settings


async def report(args: argparse.Namespace, settings: Settings) -> int:
    """Record a report about an account; ``--forward`` sends a ``Flag`` to its server,
    ``--notify`` names the person told as it moves on."""
    async with group_session(settings, args.group) as (ctx, session, group):
        saved, inbox = await make_report(
            ctx,
            session,
            group,
            args.account,
            reason=args.reason,
            post_ids=args.post,
            forward=args.forward,
            notify=args.notify or "",
        )
        await session.commit()
    print(
        f"report #{saved.id} about {saved.target_ids[0]} recorded"
        + (f"; Flag sent to {inbox}" if inbox else "")
    )
    return 0


async def reports(args: argparse.Namespace, settings: Settings) -> int:
    """List a group's reports, newest first, with their status and mediator."""
    status = args.status
    async with group_session(settings, args.group) as (_ctx, session, group):
        rows = await grievances(session, group, status)
    if not rows:
        print(f"no reports for {group.name}" + (f" {status}" if status else ""))
    for row in rows:
        report, case = row.report, row.case
        when = report.created_at.isoformat(timespec="seconds")
        who = f"from {report.reporter_ap_id}" if report.direction == "received" else "by us"
        about = " ".join(report.target_ids)
        shown = [f"#{report.id}", when, case.status, report.direction, who, f"about {about}"]
        shown.append(repr(report.content))
        if row.mediator:
            shown.append(f"mediator {row.mediator}")
        if case.outcome:
            shown.append(f"outcome {case.outcome!r}")
        print("\t".join(shown))
    return 0


async def report_assign(args: argparse.Namespace, settings: Settings) -> int:
    """Give a report a mediator: a moderator of the group, or the ally it was sent on to."""
    async with group_session(settings, args.group) as (ctx, session, group):
        done = await assign(session, ctx, group, args.id, args.mediator, by=audit.COMMAND_LINE)
        await session.commit()
    print(f"report #{args.id} of {group.name} is in mediation with {done.mediator}")
    return 0


async def report_note(args: argparse.Namespace, settings: Settings) -> int:
    """Add a private note to a report."""
    async with group_session(settings, args.group) as (_ctx, session, group):
        await add_note(session, group, args.id, args.text, by=audit.COMMAND_LINE)
        await session.commit()
    print(f"note added to report #{args.id} of {group.name}")
    return 0


async def report_close(args: argparse.Namespace, settings: Settings) -> int:
    """Resolve or dismiss a report, with the outcome the people involved are told."""
    async with group_session(settings, args.group) as (ctx, session, group):
        await close(session, ctx, group, args.id, args.close, args.outcome, by=audit.COMMAND_LINE)
        await session.commit()
    print(f"report #{args.id} of {group.name} is {args.close}")
    return 0


def report_number(text: str) -> int:
    """A report number as ``reports`` shows it (``#12``) or bare (``12``)."""
    try:
        return parse_number(text)
    except GrievanceError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


class ReportForms(argparse.Action):
    """``mutuals report``'s words: an action (``assign``, ``note``, ``resolve``,
    ``dismiss``) and its arguments, or ``GROUP ACCOUNT --reason …`` to make a report.

    argparse cannot give a command both sub-commands and positionals of its own, so the
    words are parsed here, at parse time, by the parser of their form.
    """

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        words = list(values)
        form = REPORT_FORMS.get(words[0]) if words else None
        if form is None:
            form, words = REPORT_FORMS[""], ["", *words]
        form.parse_args(words[1:], namespace)
        namespace.handler = form.get_default("handler")


def _report_forms() -> dict[str, argparse.ArgumentParser]:
    """The parser of each form of ``mutuals report``, by its first word ("" to make one)."""
    make = argparse.ArgumentParser(prog="mutuals report", description="report an account")
    make.set_defaults(handler=report)
    make.add_argument("group")
    make.add_argument("account", help="user@host or the account's URL")
    make.add_argument("--reason", required=True, help="what is wrong, for the moderators")
    make.add_argument(
        "--post", action="append", default=[], metavar="URL", help="a post to include (repeatable)"
    )
    make.add_argument("--forward", action="store_true", help="send a Flag to the account's server")
    make.add_argument(
        "--notify", metavar="ACCOUNT", help="the person who brought it: told as it moves on"
    )
    forms = {"": make}
    for name, handler, text in (
        ("assign", report_assign, "give a report a mediator"),
        ("note", report_note, "add a private note to a report"),
        ("resolve", report_close, "resolve a report, saying how"),
        ("dismiss", report_close, "dismiss a report, saying why"),
    ):
        form = argparse.ArgumentParser(prog=f"mutuals report {name}", description=text)
        form.set_defaults(handler=handler)
        form.add_argument("group")
        form.add_argument("id", type=report_number, help="the report's number (see reports)")
        forms[name] = form
    forms["assign"].add_argument("mediator", help="a moderator's username, or the ally's server")
    forms["note"].add_argument("text")
    for status, name in CLOSED.items():
        forms[name].set_defaults(close=status)
        forms[name].add_argument("--outcome", required=True, help="what the people involved read")
    return forms


REPORT_FORMS = _report_forms()


def register_reports(commands: Any) -> None:
    """Add ``mutuals report …`` and ``mutuals reports`` to the parser."""
    report_parser = add_command(
        commands, "report", report, "report an account, or move a report along"
    )
    report_parser.formatter_class = argparse.RawDescriptionHelpFormatter
    report_parser.epilog = (
        "forms:\n"
        "  mutuals report GROUP ACCOUNT --reason TEXT [--post URL]… [--forward]\n"
        "                 [--notify ACCOUNT]\n"
        "  mutuals report assign GROUP ID MEDIATOR\n"
        "  mutuals report note GROUP ID TEXT\n"
        "  mutuals report resolve|dismiss GROUP ID --outcome TEXT\n"
        "`mutuals report FORM -h` says more"
    )
    report_parser.add_argument(
        "words",
        nargs=argparse.REMAINDER,
        action=ReportForms,
        default=argparse.SUPPRESS,
        metavar="GROUP ACCOUNT … | ACTION …",
    )
    listing = add_command(commands, "reports", reports, "list a group's reports")
    listing.add_argument("group")
    listing.add_argument("--status", choices=STATUSES, help="only the reports with this status")
