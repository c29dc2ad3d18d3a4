"""`httpx.Auth` that signs every request, with the "double-knock" fallback.

The first attempt uses the scheme remembered for the host (draft-cavage by
default). If the server answers 401, the request is signed again once with
the other scheme; when that one is accepted it is remembered for the host.
If both are refused nothing changes. Fedify does the same, starting with
RFC 9421.
"""

from collections.abc import Callable, Generator, Iterator
from datetime import UTC, datetime

import httpx

from .keys import PrivateKey
from .sign import sign_request
from .verify import Scheme

_SIGNATURE_HEADERS = ("Signature", "Signature-Input", "Digest", "Content-Digest")


def other_scheme(scheme: Scheme) -> Scheme:
    """The scheme a double knock tries after ``scheme`` was refused."""
    return "rfc9421" if scheme == "cavage" else "cavage"


class SchemeMemory:
    """Which signature scheme each host accepts; share one across requests."""

    def __init__(self, default: Scheme = "cavage") -> None:
        self.default: Scheme = default
        self._by_host: dict[str, Scheme] = {}

    def get(self, host: str) -> Scheme:
        """The scheme to try first for ``host``."""
        return self._by_host.get(host, self.default)

    def remember(self, host: str, scheme: Scheme) -> None:
        """Record that ``host`` accepted ``scheme``."""
        self._by_host[host] = scheme

    def __getitem__(self, host: str) -> Scheme:
        return self._by_host[host]

    def __contains__(self, host: object) -> bool:
        return host in self._by_host

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_host)

    def __len__(self) -> int:
        return len(self._by_host)


class HttpSignatureAuth(httpx.Auth):
    """Sign requests as ``key_id`` with ``private_key``; retry once with the other scheme on 401."""

    requires_request_body = True

    def __init__(
        self,
        key_id: str,
        private_key: PrivateKey,
        memory: SchemeMemory | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.key_id = key_id
        self.private_key = private_key
        self.memory = memory if memory is not None else SchemeMemory()
        self._clock = clock or (lambda: datetime.now(UTC))

    def _sign(self, request: httpx.Request, scheme: Scheme) -> None:
        for name in _SIGNATURE_HEADERS:
            request.headers.pop(name, None)
        added = sign_request(
            request.method,
            str(request.url),
            request.headers,
            request.content,
            key_id=self.key_id,
            private_key=self.private_key,
            scheme=scheme,
            now=self._clock(),
        )
        request.headers.update(added)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Sign, send, and on a 401 sign with the other scheme and send once more."""
        host = request.url.netloc.decode("ascii")
        first = self.memory.get(host)
        self._sign(request, first)
        response = yield request
        if response.status_code != 401:
            return
        second = other_scheme(first)
        self._sign(request, second)
        response = yield request
        if response.status_code != 401:
            self.memory.remember(host, second)
