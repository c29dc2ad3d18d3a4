"""The instance admin's page of domain rules: blocks, limits and the allowlist.

What ``mutuals domain block|unblock|allow|disallow|list`` does, on the web, with the same
functions (``moderation.domains``); every change is in the instance's audit log.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from accounts import audit
from documents.errors import UserError
from moderation.checks import ModerationError, normalize_domain
from moderation.domains import (
    allow_domain,
    block_domain,
    disallow_domain,
    domain_rules,
    unblock_domain,
)
from web.forms import text_field
from web.guard import ADMIN, Page, Visitor
from web.pages import render_form
from web.state import app_context, app_settings

_FORMS = ("block", "allow")
"""The forms that take a typed domain; an error is shown in the one that was sent."""


async def _page(
    request: Request, visitor: Visitor, status: int = 200, **values: object
) -> Response:
    async with app_context(request).sessions() as session:
        rules, allowed = await domain_rules(session)
    return render_form(
        request,
        "admin/domains.html",
        status,
        visitor=visitor,
        rules=rules,
        allowed=allowed,
        federation=app_settings(request).federation,
        **values,
    )


async def _apply(request: Request, visitor: Visitor, form: FormData) -> str:
    """Carry out the form's action; what the audit log and the notice say was done."""
    action, domain = text_field(form, "action"), text_field(form, "domain")
    async with app_context(request).sessions() as session:
        if action == "block":
            silence = text_field(form, "silence") == "on"
            media = text_field(form, "reject_media") == "on"
            rule = await block_domain(session, domain, silence=silence, reject_media=media)
            limits = [n for n, on in (("silenced", silence), ("media rejected", media)) if on]
            done = f"{rule.domain}: " + (", ".join(limits) if limits else "blocked")
            await audit.record(session, visitor.account.username, "domain block", None, done)
        elif action in ("unblock", "disallow"):
            drop = unblock_domain if action == "unblock" else disallow_domain
            name = normalize_domain(domain)
            if not await drop(session, domain):
                missing = "is not blocked" if action == "unblock" else "is not on the allowlist"
                raise ModerationError(f"{name} {missing}")
            done = f"{name}: " + ("unblocked" if action == "unblock" else "no longer allowed")
            await audit.record(session, visitor.account.username, f"domain {action}", None, name)
        elif action == "allow":
            name = normalize_domain(domain)
            added = await allow_domain(session, domain)
            done = f"{name}: " + ("allowed" if added else "was already allowed")
            if added:
                await audit.record(session, visitor.account.username, "domain allow", None, name)
        else:
            raise ModerationError("unknown action")
        await session.commit()
    return done


async def domains(request: Request, visitor: Visitor) -> Response:
    """Domain blocks and limits, the allowlist, and the federation mode (read-only)."""
    if request.method == "GET":
        return await _page(request, visitor)
    form = await request.form()
    try:
        done = await _apply(request, visitor, form)
    except UserError as error:
        action = text_field(form, "action")
        return await _page(
            request,
            visitor,
            400,
            error=str(error),
            error_form=action if action in _FORMS else "",
            typed=text_field(form, "domain"),
        )
    return await _page(request, visitor, done=done)


PAGES: list[tuple[str, Page, str, list[str]]] = [
    ("/admin/domains", domains, ADMIN, ["GET", "POST"]),
]
"""The instance admin's pages: path, handler, the permission it needs, methods."""
