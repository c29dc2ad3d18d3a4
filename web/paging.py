"""``?page=N`` on the public pages: reading it, and the page that refuses a bad one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web.i18n import N_
from web.pages import render_page

PAST_THE_END = 10**18
"""What a longer number reads as: past any last page (``int()`` refuses 4,300 digits)."""
BAD_PAGE = N_("The page number must be a whole number from 1 up, like ?page=2.")


def page_number(request: Request) -> int | None:
    """The ``page`` asked for (1 when none is); None when it is not a positive number."""
    text = request.query_params.get("page", "1")
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text) if len(text) <= 18 else PAST_THE_END
    return number if number >= 1 else None


def bad_page(request: Request) -> Response:
    """400: the HTML page saying why ``?page=`` was refused."""
    return render_page(request, "error.html", 400, title=N_("Bad request"), reason=BAD_PAGE)
