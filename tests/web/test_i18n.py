"""The interface in English and Spanish: catalogs complete, language chosen per visitor."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from accounts import links
from tests.admin.support import PASSWORD, add_account, post_form, signed_in
from tests.helpers import add_group
from tests.instances import Instance
from web.i18n import LOCALES

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None}


def _texts() -> set[str]:
    """Every text marked for translation in web/ (templates and Python), as extracted."""
    method_map = [("web/**.py", "python"), ("web/templates/**.html", "jinja2")]
    options = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = extract_from_dir(
        str(ROOT), method_map=method_map, options_map=options, keywords=KEYWORDS
    )
    return {
        message for _file, _line, message, _comments, _context in found if isinstance(message, str)
    }


def test_the_spanish_catalog_translates_every_text() -> None:
    with (LOCALES / "es" / "LC_MESSAGES" / "mutuals.po").open("rb") as po:
        catalog = read_po(po, locale="es")
    translated = {message.id: message.string for message in catalog if message.id}
    texts = _texts()
    assert len(texts) > 50
    missing = sorted(text for text in texts if not translated.get(text))
    assert not missing, f"add these to the Spanish catalog (make messages): {missing}"


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
