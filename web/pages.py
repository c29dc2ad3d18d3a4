"""HTML rendering with autoescaping Jinja2 templates."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from documents.whereabouts import language_name
from web.conditional import cached_response
from web.i18n import LANGUAGES, from_accept_language, install, use_language
from web.negotiation import header
from web.signing import CSRF_COOKIE, csrf_cookie
from web.state import app_context, app_settings, app_signer

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
install(TEMPLATES.env)
TEMPLATES.env.filters["language_name"] = language_name


def page_language(request: Request) -> str:
    """The interface language: the signed-in account's choice, else the browser's."""
    chosen = getattr(request.state, "language", None)
    if chosen in LANGUAGES:
        return str(chosen)
    return from_accept_language(header(request, b"accept-language") or "")


def render_page(request: Request, template: str, status_code: int = 200, **values: Any) -> Response:
    """Render a page in the visitor's language; every value is escaped unless a template
    marks it safe."""
    ctx = app_context(request)
    language = page_language(request)
    use_language(language)
    values.update(
        urls=ctx.urls,
        host=ctx.host,
        instance_name=app_settings(request).instance_name,
        language=language,
        languages=LANGUAGES,
    )
    response = TEMPLATES.TemplateResponse(request, template, values, status_code=status_code)
    response.headers["Vary"] = "Accept, Accept-Language"
    return response


Endpoint = Callable[[Request], Awaitable[Response]]


def cached_page(endpoint: Endpoint) -> Endpoint:
    """``endpoint`` (a public page, the same for every visitor) served from the page cache
    by path, query and interface language, answered 304 when unchanged (`web.conditional`).
    """

    @wraps(endpoint)
    async def serve(request: Request) -> Response:
        # From the scope: building ``request.url`` costs more than the cached answer.
        scope = request.scope
        key = ("page", scope["path"], scope["query_string"], page_language(request))
        return await cached_response(request, key, lambda: endpoint(request))

    return serve


def render_form(request: Request, template: str, status_code: int = 200, **values: Any) -> Response:
    """Render a page with a form: its ``csrf`` value, and the csrf cookie when new.

    Forms are never cached: each carries the token of the browser's cookie.
    """
    cookie, new = csrf_cookie(request)
    signer = app_signer(request)
    response = render_page(request, template, status_code, csrf=signer.csrf_field(cookie), **values)
    if new:
        signer.set_cookie(response, CSRF_COOKIE, cookie, max_age=None)
    response.headers["Cache-Control"] = "no-store"
    return response
