"""The instance admin's page of domain rules: blocks, limits, the allowlist, and the
allies' blocklists followed.

What ``mutuals domain block|unblock|allow|disallow|list|subscribe|unsubscribe|
subscriptions`` does, on the web, with the same functions (``moderation.domains`` and
``moderation.subscriptions``); every change is in the instance's audit log.
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
    rule_notes,
    unblock_domain,
)
from moderation.subscriptions import list_subscriptions, subscribe, unsubscribe
from web.forms import text_field
from web.guard import ADMIN, Page, Visitor
from web.i18n import N_
from web.pages import render_form
from web.state import app_context, app_settings

_FORMS = {"block": "domain", "allow": "domain", "subscribe": "url"}
"""The forms that take typed text, and its field; an error is shown in the one sent."""

BLOCK_NOTICES = {
    (False, False): N_("%(domain)s: blocked"),
    (True, False): N_("%(domain)s: silenced"),
    (False, True): N_("%(domain)s: media rejected"),
    (True, True): N_("%(domain)s: silenced, media rejected"),
}
"""What blocking says, by (silenced, media rejected): in the notice and the audit log."""
UNBLOCKED = N_("%(domain)s: unblocked")
DISALLOWED = N_("%(domain)s: no longer allowed")
ALLOWED = N_("%(domain)s: allowed")
ALREADY_ALLOWED = N_("%(domain)s: was already allowed")
SUBSCRIBED = N_("%(domain)s: followed; its state is below")
UNSUBSCRIBED = N_("%(domain)s: no longer followed; the rules only it brought are gone")


async def _page(
    request: Request, visitor: Visitor, status: int = 200, **values: object
) -> Response:
    async with app_context(request).sessions() as session:
        rules, allowed = await domain_rules(session)
        notes = await rule_notes(session)
        lists = await list_subscriptions(session)
    return render_form(
        request,
        "admin/domains.html",
        status,
        visitor=visitor,
        rules=rules,
        notes=notes,
        allowed=allowed,
        lists=lists,
        federation=app_settings(request).federation,
        **values,
    )


async def _subscription(request: Request, visitor: Visitor, form: FormData) -> tuple[str, str]:
    """Follow (and read now) or stop following an ally's list; the notice, and its URL."""
    ctx, action, url = app_context(request), text_field(form, "action"), text_field(form, "url")
    if action == "subscribe":
        limit_only = text_field(form, "limit_only") == "on"
        url = (await subscribe(ctx, url, limit_only=limit_only)).url
    async with ctx.sessions() as session:
        if action == "unsubscribe" and not await unsubscribe(session, url):
            raise ModerationError("not subscribed to %(url)s", url=url)
        await audit.record(session, visitor.account.username, f"domain {action}", None, url)
        await session.commit()
    return (SUBSCRIBED if action == "subscribe" else UNSUBSCRIBED), url


async def _apply(request: Request, visitor: Visitor, form: FormData) -> tuple[str, str]:
    """Carry out the form's action; the notice saying what was done, and its domain."""
    action, domain = text_field(form, "action"), text_field(form, "domain")
    if action in ("subscribe", "unsubscribe"):
        return await _subscription(request, visitor, form)
    async with app_context(request).sessions() as session:
        if action == "block":
            silence = text_field(form, "silence") == "on"
            media = text_field(form, "reject_media") == "on"
            rule = await block_domain(
                session,
                domain,
                silence=silence,
                reject_media=media,
                reason=text_field(form, "reason"),
                public=text_field(form, "public") == "on",
            )
            done, name = BLOCK_NOTICES[silence, media], rule.domain
            detail = done % {"domain": name}
            await audit.record(session, visitor.account.username, "domain block", None, detail)
        elif action in ("unblock", "disallow"):
            drop = unblock_domain if action == "unblock" else disallow_domain
            name = normalize_domain(domain)
            if not await drop(session, domain):
                if action == "unblock":
                    raise ModerationError("%(domain)s is not blocked", domain=name)
                raise ModerationError("%(domain)s is not on the allowlist", domain=name)
            done = UNBLOCKED if action == "unblock" else DISALLOWED
            await audit.record(session, visitor.account.username, f"domain {action}", None, name)
        elif action == "allow":
            name = normalize_domain(domain)
            added = await allow_domain(session, domain)
            done = ALLOWED if added else ALREADY_ALLOWED
            if added:
                await audit.record(session, visitor.account.username, "domain allow", None, name)
        else:
            raise ModerationError("unknown action")
        await session.commit()
    return done, name


async def domains(request: Request, visitor: Visitor) -> Response:
    """Domain blocks and limits, the allowlist, the blocklists followed, and the
    federation mode (read-only)."""
    if request.method == "GET":
        return await _page(request, visitor)
    form = await request.form()
    try:
        done, name = await _apply(request, visitor, form)
    except UserError as error:
        action = text_field(form, "action")
        return await _page(
            request,
            visitor,
            400,
            error=error,
            error_form=action if action in _FORMS else "",
            typed=text_field(form, _FORMS.get(action, "domain")),
            typed_reason=text_field(form, "reason"),
        )
    return await _page(request, visitor, done=done, done_domain=name)


PAGES: list[tuple[str, Page, str, list[str]]] = [
    ("/admin/domains", domains, ADMIN, ["GET", "POST"]),
]
"""The instance admin's pages: path, handler, the permission it needs, methods."""
