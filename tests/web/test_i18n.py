"""The interface in English and Spanish: catalogs complete, language chosen per visitor."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.util import pathmatch

from accounts import links
from tests.admin.support import PASSWORD, add_account, post_form, signed_in
from tests.helpers import add_group
from tests.instances import Instance
from web.i18n import LOCALES

ROOT = Path(__file__).resolve().parents[2]
COMMAND_LINE_ONLY = {"CliError", "BackupError", "SettingsError", "SchemaError"}
"""The `UserError` subclasses no page shows: their messages stay in English."""


def _mapping() -> tuple[list[tuple[str, str]], dict[str, dict[str, Any]]]:
    """babel.cfg: the files `make messages` reads, and how."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options = parse_mapping_cfg(cfg)  # type: ignore[no-untyped-call]
    return method_map, options


def _error_keywords() -> set[str]:
    """The Makefile's ERROR_KEYWORDS: the errors whose messages `make messages` extracts."""
    makefile = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    found = re.search(r"^ERROR_KEYWORDS := (.*)$", makefile, re.MULTILINE)
    assert found, "the Makefile has no ERROR_KEYWORDS"
    return set(found[1].split())


def _texts() -> set[str]:
    """Every text `make messages` extracts: templates, ``N_`` and the errors' messages."""
    method_map, options = _mapping()
    keywords = dict.fromkeys({"_", "N_", *_error_keywords()})
    found = extract_from_dir(
        str(ROOT), method_map=method_map, options_map=options, keywords=keywords
    )
    return {
        message for _file, _line, message, _comments, _context in found if isinstance(message, str)
    }


def _python_trees() -> Iterator[tuple[Path, ast.Module]]:
    """The Python files `make messages` reads, parsed."""
    patterns = [pattern for pattern, method in _mapping()[0] if method == "python"]
    for top in sorted({pattern.split("/")[0] for pattern in patterns}):
        for path in sorted((ROOT / top).rglob("*.py")):
            if any(pathmatch(pattern, path.relative_to(ROOT).as_posix()) for pattern in patterns):
                yield path, ast.parse(path.read_text())


def _user_errors() -> set[str]:
    """``UserError`` and every subclass of it those files define, by name."""
    bases = {
        node.name: {ast.unparse(base).rsplit(".", 1)[-1] for base in node.bases}
        for _path, tree in _python_trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    }
    found = {"UserError"}
    while more := {name for name, of in bases.items() if of & found} - found:
        found |= more
    return found


def test_the_spanish_catalog_translates_every_text() -> None:
    with (LOCALES / "es" / "LC_MESSAGES" / "mutuals.po").open("rb") as po:
        catalog = read_po(po, locale="es")
    translated = {message.id: message.string for message in catalog if message.id}
    texts = _texts()
    assert len(texts) > 50
    assert "a poll needs %(low)s to %(high)s options; %(given)s given" in texts
    missing = sorted(text for text in texts if not translated.get(text))
    assert not missing, f"add these to the Spanish catalog (make messages): {missing}"
    assert not [message.id for message in catalog if message.id and message.fuzzy]
    # A translation naming a placeholder its text lacks would fail when shown
    assert not [(message.id, errors) for message, errors in catalog.check()]


def test_every_error_a_page_may_show_is_extracted() -> None:
    errors, keywords = _user_errors(), _error_keywords()
    assert errors >= COMMAND_LINE_ONLY  # each still exists
    missing = sorted(errors - COMMAND_LINE_ONLY - keywords)
    assert not missing, f"add these to ERROR_KEYWORDS in the Makefile: {missing}"
    assert keywords <= errors


def test_every_error_message_is_a_literal_template() -> None:
    # pybabel skips an f-string and joins both sides of "a" if x else "b" into one text
    keywords = _error_keywords()
    built = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, tree in _python_trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and ast.unparse(node.func).rsplit(".", 1)[-1] in keywords
        and node.args
        and not isinstance(node.args[0], ast.Constant | ast.Name)
    ]
    assert not built, f"give these a literal with %(name)s parameters: {built}"


async def test_the_browser_language_is_followed(instance: Instance) -> None:
    async with instance.client(headers={"accept-language": "es-ES,es;q=0.9,en;q=0.5"}) as client:
        spanish = await client.get("/login")
    async with instance.client(headers={"accept-language": "de, en;q=0.3"}) as client:
        english = await client.get("/login")
    assert '<html lang="es">' in spanish.text
    assert "<h1>Entrar</h1>" in spanish.text
    assert '<html lang="en">' in english.text
    assert "<h1>Sign in</h1>" in english.text


async def test_the_accounts_choice_wins_over_the_browser(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "ana", group, "organizer")
    async with signed_in(instance, "ana", headers={"accept-language": "en"}) as client:
        chosen = await post_form(client, "/admin/account", {"action": "language", "language": "es"})
        assert chosen.status_code == 303
        dashboard = await client.get("/admin/groups/eastside/")
        assert "Seguidores" in dashboard.text
        assert "tus roles: organización" in dashboard.text
        refused = await client.get("/admin/accounts")
        assert "Solo una persona administradora" in refused.text


async def test_an_error_with_a_percent_sign_is_shown_not_formatted(instance: Instance) -> None:
    # The package's message repeats what was typed: a "%" in it must not be formatted
    group = await add_group(instance, "eastside")
    async with instance.ctx.sessions() as session:
        token = await links.invite(session, group, "editor", by="ana")
        await session.commit()
    typed = {"username": "100%(x)s", "password": PASSWORD, "again": PASSWORD}
    async with instance.client() as client:
        answer = await post_form(client, f"/invite/{token}", typed)
    assert answer.status_code == 400
    assert "&#39;100%(x)s&#39; cannot be a username" in answer.text
