"""A real Mutuals instance served by uvicorn on a loopback port, driven step by step."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette

from actors.instance import Context
from web.app import create_app
from web.settings import Settings
from web.workers import worker_steps


@dataclass
class Instance:
    """A running instance: its URL, app, context and server."""

    base_url: str
    settings: Settings
    app: Starlette
    server: uvicorn.Server
    task: asyncio.Task[None]

    @property
    def ctx(self) -> Context:
        ctx: Context = self.app.state.ctx
        return ctx

    @property
    def host(self) -> str:
        return self.settings.host

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        """A plain HTTP client aimed at this instance."""
        return httpx.AsyncClient(base_url=self.base_url, **kwargs)

    async def step(self) -> int:
        """Run every worker once; how many rows they handled."""
        total = 0
        for step in worker_steps():
            total += await step(self.ctx)
        return total

    async def stop(self) -> None:
        self.server.should_exit = True
        await self.task


async def settle(*instances: Instance, rounds: int = 50) -> None:
    """Step the workers of every instance until none has anything left to do."""
    for _ in range(rounds):
        handled = 0
        for instance in instances:
            handled += await instance.step()
        if handled == 0:
            return
    raise AssertionError("workers did not settle")


async def start_instance(database_url: str, overrides: dict[str, str]) -> Instance:
    """Serve a fresh instance on a free loopback port in development mode, workers off."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    values: dict[str, Any] = {
        "base_url": f"http://127.0.0.1:{port}",
        "database_url": database_url,
        "secret_key": "test-secret-key-0123456789",
        "dev": True,
        "run_workers": False,
    }
    values.update(overrides)
    settings = Settings(**values).validate()
    app = create_app(settings)
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("server stopped during start-up")
        await asyncio.sleep(0.01)
    return Instance(settings.base_url, settings, app, server, task)
