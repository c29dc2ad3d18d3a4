"""A peer that never answers a key fetch well: it hangs until told, or resets connections.

Raw asyncio streams, so the test sees every connection and request on the wire.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from typing import Literal


class BadPeer:
    """``async with BadPeer("hang") as peer``: records connections and request lines.

    ``hang``: reads each request and answers nothing until `release`, then closes the
    connection (the fetch fails as a dropped connection). ``reset``: reads each request
    and resets the connection at once (TCP RST).
    """

    def __init__(self, mode: Literal["hang", "reset"]) -> None:
        self.mode = mode
        self.connections = 0
        self.requests: list[str] = []
        self.open = 0
        """Requests read and not answered yet (the hanging ones)."""
        self.arrived = asyncio.Event()
        self._released = asyncio.Event()
        self._server: asyncio.Server | None = None
        self.port = 0

    def url(self, path: str) -> str:
        """``path`` on this peer."""
        return f"http://127.0.0.1:{self.port}{path}"

    def release(self) -> None:
        """Let the hanging requests end (their connections are closed unanswered)."""
        self._released.set()

    async def __aenter__(self) -> BadPeer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self.release()
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            return
        self.requests.append(head.split(b"\r\n", 1)[0].decode("latin-1"))
        self.arrived.set()
        if self.mode == "reset":
            sock = writer.get_extra_info("socket")
            # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return
        self.open += 1
        try:
            await self._released.wait()
        finally:
            self.open -= 1
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
