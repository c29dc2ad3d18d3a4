"""The packages' errors on a web page: in the page's language, with their values filled in."""

from __future__ import annotations

from contextvars import copy_context

from accounts import links
from documents.errors import BadPollOptions, UserError
from tests.admin.support import PASSWORD, add_account, post_form, signed_in
from tests.helpers import add_group
from tests.instances import Instance
from web.i18n import translate, use_language

POLL = "/admin/groups/eastside/compose/poll"
TWICE = "the option %(option)r is given twice"


class Refused(UserError):
    """A subclass with its own ``__init__``, as a package may write one."""

    def __init__(self, what: str) -> None:
        super().__init__("%(what)s is refused", what=what)
        self.what = what


def shown(language: str, error: Exception) -> str:
    """``error`` as a page in ``language`` shows it (the language set in a context of its own)."""

    def show() -> str:
        use_language(language)
        return translate(error)

    return copy_context().run(show)


def test_an_error_keeps_its_template_and_reads_in_english() -> None:
    error = BadPollOptions(TWICE, option="bikes")
    assert str(error) == "the option 'bikes' is given twice"
    assert (error.template, error.params) == (TWICE, {"option": "bikes"})
    assert str(UserError("100% sure")) == "100% sure"  # no params: nothing is formatted
    refused = Refused("bikes")
    assert (str(refused), refused.what) == ("bikes is refused", "bikes")
    assert (refused.template, refused.params) == ("%(what)s is refused", {"what": "bikes"})


def test_translate_fills_in_the_translated_template() -> None:
    error = BadPollOptions(TWICE, option="50%(x)s")
    assert shown("es", error) == "la opción '50%(x)s' aparece dos veces"
    assert shown("en", error) == "the option '50%(x)s' is given twice"
    assert shown("es", Refused("bikes")) == "bikes is refused"  # not in the catalog: as written
    assert shown("es", KeyError("plain")) == "'plain'"  # not a UserError: as str() says


async def test_a_refused_poll_says_why_in_the_organizers_language(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    await add_account(instance, "ana", group, "organizer")
    poll = {"question": "¿Cuándo quedamos?", "options": "El sábado", "timezone": "UTC"}
    async with signed_in(instance, "ana", headers={"accept-language": "en"}) as client:
        english = await post_form(client, POLL, {**poll, "language": "es"})
        chosen = await post_form(client, "/admin/account", {"action": "language", "language": "es"})
        assert chosen.status_code == 303
        spanish = await post_form(client, POLL, {**poll, "language": "es"})
    assert english.status_code == spanish.status_code == 400
    assert "a poll needs 2 to 20 options; 1 given" in english.text
    assert "una encuesta necesita de 2 a 20 opciones; tiene 1" in spanish.text
    assert "a poll needs" not in spanish.text


async def test_a_visitor_reads_the_errors_in_the_browsers_language(instance: Instance) -> None:
    group = await add_group(instance, "eastside")
    async with instance.ctx.sessions() as session:
        token = await links.invite(session, group, "editor", by="ana")
        await session.commit()
    typed = {"username": "100%(x)s", "password": PASSWORD, "again": PASSWORD}
    async with instance.client(headers={"accept-language": "es-ES,es;q=0.9"}) as client:
        refused = await post_form(client, f"/invite/{token}", typed)
        weak = {"username": "bea", "password": "short", "again": "short"}
        short = await post_form(client, f"/invite/{token}", weak)
        gone = await client.get("/invite/not-a-token")
    assert refused.status_code == short.status_code == 400
    assert (
        "&#39;100%(x)s&#39; no puede ser un nombre de usuario: usa de 1 a 30 letras" in refused.text
    )
    assert "la contraseña debe tener al menos 10 caracteres" in short.text
    assert gone.status_code == 404
    assert "Este enlace no existe, ya se usó o caducó: pide uno nuevo." in gone.text
