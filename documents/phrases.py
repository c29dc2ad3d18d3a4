"""The fixed words of readable lines, in the languages groups write in (English otherwise).

Mastodon shows only ``content`` (Notes, Questions) or ``name`` + ``summary`` (Events),
so these lines are how its users learn what an offer or event is and how to answer.
The RSVP words a reply may contain are listed here too, next to the line that asks for them,
and the words of a reply to a need: ``help`` ("I can help") makes its author a helper,
``consent`` ("mention me") lets the group thank them publicly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Phrases:
    """The words of one language."""

    offer: str
    need: str
    until: str
    offer_call: str
    need_call: str
    closed: dict[str, str]
    online: str
    cancelled: str
    every: dict[str, str]
    next: str
    rsvp: str
    going: tuple[str, ...]
    maybe: tuple[str, ...]
    declined: tuple[str, ...]
    weekdays: tuple[str, ...]
    months: tuple[str, ...]
    urgency: dict[str, str]
    given: str
    helping: str
    thanks_hint: str
    help: tuple[str, ...]
    consent: tuple[str, ...]
    thanks: str


_EN = Phrases(
    offer="Offer",
    need="Need",
    until="until {date}",
    offer_call="reply to take it up",
    need_call="reply if you can help",
    closed={
        "fulfilled": "fulfilled, thank you!",
        "partly": "partly fulfilled, thank you!",
        "unmet": "closed unmet",
        "withdrawn": "withdrawn",
        "expired": "expired",
    },
    online="online",
    cancelled="Cancelled",
    every={
        "DAILY": "every day",
        "WEEKLY": "every week",
        "MONTHLY": "every month",
        "YEARLY": "every year",
    },
    next="next",
    rsvp="Reply “going”, “maybe” or “not going”",
    going=("going", "i'm going", "im going", "attending", "yes"),
    maybe=("maybe", "perhaps"),
    declined=("not going", "can't go", "cant go", "no"),
    weekdays=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    months=("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    urgency={"urgent": "urgent", "week": "this week"},
    given="{given} of {quantity} given",
    helping="someone is helping",
    thanks_hint="reply “mention me” to be thanked publicly",
    help=("i can help", "i could help", "i'll help", "i can do it", "count me in"),
    consent=("mention me", "thank me publicly"),
    thanks="Thank you {names} for helping with: {title}",
)

_ES = Phrases(
    offer="Ofrecemos",
    need="Necesitamos",
    until="hasta el {date}",
    offer_call="responde para aceptarlo",
    need_call="responde si puedes ayudar",
    closed={
        "fulfilled": "cubierto, ¡gracias!",
        "partly": "cubierto en parte, ¡gracias!",
        "unmet": "cerrado sin cubrir",
        "withdrawn": "retirado",
        "expired": "caducado",
    },
    online="en línea",
    cancelled="Cancelado",
    every={
        "DAILY": "cada día",
        "WEEKLY": "cada semana",
        "MONTHLY": "cada mes",
        "YEARLY": "cada año",
    },
    next="próximo",
    rsvp="Responde «voy», «quizás» o «no voy»",
    going=("voy", "asistiré", "sí"),
    maybe=("quizás", "quizá", "tal vez"),
    declined=("no voy", "no puedo"),
    weekdays=("lun", "mar", "mié", "jue", "vie", "sáb", "dom"),
    months=("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"),
    urgency={"urgent": "urgente", "week": "esta semana"},
    given="{given} de {quantity} entregados",
    helping="alguien está ayudando",
    thanks_hint="responde «menciónanos» para que te demos las gracias en público",
    help=(
        "puedo ayudar",
        "puedo ayudarte",
        "puedo ayudaros",
        "yo ayudo",
        "cuenta conmigo",
        "contad conmigo",
    ),
    consent=("menciónanos", "mencióname", "puedes mencionarme"),
    thanks="Gracias {names} por ayudar con: {title}",
)

_FR = Phrases(
    offer="Offre",
    need="Besoin",
    until="jusqu’au {date}",
    offer_call="répondez pour en profiter",
    need_call="répondez si vous pouvez aider",
    closed={
        "fulfilled": "pourvu, merci !",
        "partly": "pourvu en partie, merci !",
        "unmet": "fermé sans être pourvu",
        "withdrawn": "retiré",
        "expired": "expiré",
    },
    online="en ligne",
    cancelled="Annulé",
    every={
        "DAILY": "chaque jour",
        "WEEKLY": "chaque semaine",
        "MONTHLY": "chaque mois",
        "YEARLY": "chaque année",
    },
    next="prochain",
    rsvp="Répondez « je viens », « peut-être » ou « je ne viens pas »",
    going=("je viens", "présent", "oui"),
    maybe=("peut-être", "peut etre"),
    declined=("je ne viens pas", "absent", "non"),
    weekdays=("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."),
    months=(
        "janv.",
        "févr.",
        "mars",
        "avr.",
        "mai",
        "juin",
        "juil.",
        "août",
        "sept.",
        "oct.",
        "nov.",
        "déc.",
    ),
    urgency={"urgent": "urgent", "week": "cette semaine"},
    given="{given} sur {quantity} donnés",
    helping="quelqu’un aide",
    thanks_hint="répondez « mentionnez-moi » pour être remercié publiquement",
    help=(
        "je peux aider",
        "je peux le faire",
        "je m’en charge",
        "je m'en charge",
        "comptez sur moi",
    ),
    consent=("mentionnez-moi", "mentionnez moi"),
    thanks="Merci {names} pour votre aide : {title}",
)

_DE = Phrases(
    offer="Angebot",
    need="Gesucht",
    until="bis {date}",
    offer_call="antworte, um es anzunehmen",
    need_call="antworte, wenn du helfen kannst",
    closed={
        "fulfilled": "erledigt, danke!",
        "partly": "teilweise erledigt, danke!",
        "unmet": "unerfüllt geschlossen",
        "withdrawn": "zurückgezogen",
        "expired": "abgelaufen",
    },
    online="online",
    cancelled="Abgesagt",
    every={
        "DAILY": "täglich",
        "WEEKLY": "wöchentlich",
        "MONTHLY": "monatlich",
        "YEARLY": "jährlich",
    },
    next="nächster Termin",
    rsvp="Antworte „komme“, „vielleicht“ oder „komme nicht“",
    going=("komme", "ich komme", "dabei", "ja"),
    maybe=("vielleicht",),
    declined=("komme nicht", "ich komme nicht", "nein"),
    weekdays=("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"),
    months=(
        "Jan.",
        "Feb.",
        "März",
        "Apr.",
        "Mai",
        "Juni",
        "Juli",
        "Aug.",
        "Sept.",
        "Okt.",
        "Nov.",
        "Dez.",
    ),
    urgency={"urgent": "dringend", "week": "diese Woche"},
    given="{given} von {quantity} gegeben",
    helping="jemand hilft",
    thanks_hint="antworte „erwähnt mich“, um öffentlich Dank zu bekommen",
    help=("ich kann helfen", "kann helfen", "ich mache das", "zählt auf mich"),
    consent=("erwähnt mich", "erwähne mich"),
    thanks="Danke {names} für die Hilfe bei: {title}",
)

PHRASES: dict[str, Phrases] = {"en": _EN, "es": _ES, "fr": _FR, "de": _DE}


def phrases(language: str) -> Phrases:
    """The phrases of ``language`` (``pt-BR`` → ``pt``), English when we have none."""
    return PHRASES.get(language.split("-")[0].lower(), _EN)


def format_date(day: dt.date, language: str) -> str:
    """``Sat 29 Nov 2025`` in the words of ``language``."""
    words = phrases(language)
    return f"{words.weekdays[day.weekday()]} {day.day} {words.months[day.month - 1]} {day.year}"


def format_time(when: dt.datetime) -> str:
    """``18:30``: 24-hour wall-clock time, understood everywhere."""
    return when.strftime("%H:%M")


def zone_label(when: dt.datetime) -> str:
    """The zone's abbreviation at ``when`` (``CET``), or ``UTC+03`` when it has none."""
    name = when.strftime("%Z")
    return f"UTC{name}" if name[:1] in "+-" else name
