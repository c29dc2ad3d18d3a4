"""The one exception raised by the HTTP signature code."""


class SignatureError(Exception):
    """A request's signature is missing, malformed, or does not verify.

    ``reason`` is a short human-readable sentence, safe to send back as the
    body of a 401 (it never contains key material).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason
