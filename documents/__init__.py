"""Pure builders of the documents groups share: offers and needs, events, polls, calendars.

Nothing here touches the database or the network. Each builder takes plain, checked
input (a ``*Spec`` dataclass whose constructor raises a :class:`DocumentError` with a
message for the organizer) plus a :class:`Meta` (id, actor, times, audience) and
returns the JSON-ready object, without ``@context``: wrap it in a ``Create`` or
``Update`` whose context is ``jsonld_context(<module>.CONTEXT_TERMS)``.

Every type is structured data *and* readable in a Mastodon home timeline:

- offer/need → ``Note`` + FEP-0837 ``purpose``/``publishes`` (see :mod:`.offer`);
- event → ``Event`` with a readable ``summary`` line (see :mod:`.event`);
- poll → ``Question`` as Mastodon serializes it (see :mod:`.poll`);
- every text → plain property in the primary language + ``…Map`` with it first
  (see :mod:`.multilingual`);
- calendars → RFC 5545 (see :mod:`.ical`);
- feeds → Atom and RSS 2.0 of our posts (see :mod:`.feeds`, :mod:`.feed_entry`).
"""
