"""The interface's languages: gettext catalogs (Babel), chosen per request.

Templates mark their texts with ``_("…")`` (Jinja2's i18n extension, new style: texts
are escaped, ``%(name)s`` filled from keywords). The catalogs are ``web/locale/LANG/
LC_MESSAGES/mutuals.po``, read when the process starts (no compiled ``.mo`` files to keep
in step). The language is the account's choice, else the browser's ``Accept-Language``
among `LANGUAGES`, else English.

The packages' errors (`UserError`) are worded in English; their templates are in the
catalogs too, and a page shows one with `translate` (the ``translate`` template global).
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment

from documents.errors import UserError

LOCALES = Path(__file__).parent / "locale"
DOMAIN = "mutuals"
LANGUAGES = {"en": "English", "es": "Español"}
"""The interface's languages: code → its own name."""
DEFAULT = "en"


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs where it is written; it is translated where shown."""
    return message


ROLE_NAMES = (N_("organizer"), N_("moderator"), N_("editor"), N_("liaison"))
"""The roles, as the pages show them (``_(role)``)."""

_current: ContextVar[gettext.NullTranslations | None] = ContextVar("translations", default=None)
_ENGLISH = gettext.NullTranslations()


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalog of ``language`` (the texts as written for English)."""
    path = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == DEFAULT or not path.exists():
        return _ENGLISH
    with path.open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def from_accept_language(header: str) -> str:
    """The first of `LANGUAGES` the browser asks for (by ``q``), else `DEFAULT`."""
    wanted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        wanted.append((-weight, position, tag.strip().lower().split("-")[0]))
    for weight, _position, language in sorted(wanted):
        if weight < 0 and language in LANGUAGES:
            return language
    return DEFAULT


def use_language(language: str) -> None:
    """Render the rest of this request (this task) in ``language``."""
    _current.set(translations(language if language in LANGUAGES else DEFAULT))


def gettext_now(message: str) -> str:
    """``message`` in the current request's language."""
    return (_current.get() or _ENGLISH).gettext(message)


def ngettext_now(singular: str, plural: str, count: int) -> str:
    """The singular or plural of a message, in the current request's language."""
    return (_current.get() or _ENGLISH).ngettext(singular, plural, count)


def translate(text: str | Exception) -> str:
    """``text`` in the current request's language; for a `UserError`, its template
    translated, then filled in with its params; any other error as ``str(error)``.

    For texts that may not be in the catalogs (what a package worded, a stored reason): a
    plain text is not %-formatted, which ``_()`` always does and which a "%" typed by
    someone would break.
    """
    if isinstance(text, UserError):
        translated = gettext_now(text.template)
        return translated % text.params if text.params else translated
    return str(text) if isinstance(text, Exception) else gettext_now(text)


def install(environment: Environment) -> None:
    """Give ``environment`` the i18n extension, translating in each request's language."""
    environment.add_extension("jinja2.ext.i18n")
    install_callables: Callable[..., None] = environment.install_gettext_callables  # type: ignore[attr-defined]
    install_callables(gettext_now, ngettext_now, newstyle=True)
    environment.globals["translate"] = translate
