"""Texts in several languages from the command line: ``--lang es "Título"`` or a JSON file.

Every sharing command (and ``mutuals post``) takes its main text in ``--language``
(default ``en``), more languages with ``--lang CODE TEXT`` (and ``--lang-body CODE
TEXT`` for the body), or ``--texts FILE`` holding ``{"es": {"title": "…", "body":
"…"}}``. The main language comes first in every ``…Map``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from documents.multilingual import Multilingual, with_translations
from web.commands.base import CliError


def _add_translations(parser: argparse.ArgumentParser, flag: str, help_text: str) -> None:
    """Add ``flag CODE TEXT``, repeatable, collected as a list of pairs."""
    parser.add_argument(
        flag, nargs=2, action="append", default=[], metavar=("CODE", "TEXT"), help=help_text
    )


def add_language_arguments(parser: argparse.ArgumentParser, main: str, body: str | None) -> None:
    """Add ``--language``, ``--lang`` (for the ``main`` text), ``--lang-body``, ``--texts``."""
    parser.add_argument(
        "--language", default="en", metavar="CODE", help="language of the texts given (default en)"
    )
    _add_translations(parser, "--lang", f"the {main} in another language; repeat for each language")
    if body is not None:
        _add_translations(parser, "--lang-body", f"the {body} in another language")
    fields = f'"{main}"' + (f', "{body}"' if body else "")
    parser.add_argument(
        "--texts",
        metavar="FILE",
        help=f'a JSON file of more languages: {{"es": {{{fields}}}, …}}',
    )


def _from_file(path: str, fields: tuple[str, ...]) -> dict[str, dict[str, str]]:
    try:
        data: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise CliError(f"{path} is not JSON: {exc}") from None
    example = ", ".join(f'"{f}": "…"' for f in fields)
    shape = f'{path} must hold {{"es": {{{example}}}, …}}'
    if not isinstance(data, dict):
        raise CliError(shape)
    found: dict[str, dict[str, str]] = {}
    for lang, texts in data.items():
        if not isinstance(texts, dict) or not all(
            k in fields and isinstance(v, str) for k, v in texts.items()
        ):
            raise CliError(shape)
        found[lang] = dict(texts)
    return found


def read_texts(
    args: argparse.Namespace, main: tuple[str, str], body: tuple[str, str | None] | None = None
) -> tuple[Multilingual, Multilingual | None]:
    """The main text and optional body, each in every language given.

    ``main`` and ``body`` are (field name, text in ``--language``).
    """
    fields = (main[0],) if body is None else (main[0], body[0])
    extra = _from_file(args.texts, fields) if args.texts else {}
    pairs = [(main[0], args.lang)] + ([(body[0], args.lang_body)] if body else [])
    for field, given in pairs:
        for lang, text in given:
            extra.setdefault(lang, {})[field] = text
    return with_translations(args.language, main, body, extra.items())
