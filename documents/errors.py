"""Errors worded for the person who typed the input: the one base, and the builders' own.

`UserError` is what the ``mutuals`` command line (and the web forms) catch and show as
one line; everything a person can get wrong derives from it. Its message is a literal
template with named ``%(name)s`` parameters, so that ``make messages`` extracts it and a
web page can show it translated (``web.i18n.translate``); the command line shows it in
English, filled in.
"""

from __future__ import annotations

from typing import Any


class UserError(ValueError):
    """An action cannot be carried out as asked; ``str(error)`` says what to fix, in one line.

    ``UserError("a poll needs %(low)s to %(high)s options", low=2, high=20)``: `template`
    and `params` are kept for translation. Without params the template is the message as
    is (a ``%`` in it is not formatted).
    """

    def __init__(self, template: str, /, **params: Any) -> None:
        super().__init__(template % params if params else template)
        self.template = template
        self.params = params


class DocumentError(UserError):
    """Input a group's organizer must fix; ``str(error)`` is a one-line, user-facing message."""


class EmptyText(DocumentError):
    """A required text (a title, a question, an option) is empty."""


class TextTooLong(DocumentError):
    """A text is longer than its limit."""


class BadLanguage(DocumentError):
    """A language tag is not a BCP 47 tag, or the primary language has no text."""


class BadDates(DocumentError):
    """A date or time does not parse, does not exist, or ends before it starts."""


class UnknownTimezone(DocumentError):
    """A timezone name is not in the IANA database."""


class UnknownRepeatRule(DocumentError):
    """A repeat rule is neither a known word nor a valid RFC 5545 RRULE."""


class BadPollOptions(DocumentError):
    """A poll has too few, too many, empty or duplicate options."""


class BadSkill(DocumentError):
    """A skill cannot be a hashtag."""


class BadTopic(DocumentError):
    """A group's topic cannot be a hashtag, or a group has too many topics."""


class BadPlace(DocumentError):
    """An event is both online and in a place, or its online link is not a web address; or
    a group's coordinates are not a latitude and a longitude."""


class BadDistance(DocumentError):
    """A distance to search within is not a positive number of kilometres, or is given
    without a place to measure it from."""
