"""Errors raised for bad input to the document builders, worded for the person who typed it."""

from __future__ import annotations


class DocumentError(ValueError):
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


class BadPlace(DocumentError):
    """An event is both online and in a place, or its online link is not a web address."""
