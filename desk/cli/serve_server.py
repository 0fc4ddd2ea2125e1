"""textual-serve's Server as `desk serve` runs it: desk's own lines at start instead of
textual-serve's logo, and a shutdown that ends every browser session's app before it returns.

A module of its own so that only `desk serve` imports textual-serve (and its aiohttp, which
desk.cli never names itself: the import-linter contract "http" keeps aiohttp in desk.feeds;
the aiohttp objects here are typed Any)."""

from __future__ import annotations

import asyncio
from typing import Any

from textual_serve.server import Server


class DeskServer(Server):
    """One `desk` per browser session (textual-serve's), each ended on shutdown."""

    def __init__(self, command: str, *, banner: list[str], **options: Any) -> None:
        super().__init__(command, **options)
        self.banner = banner
        #: the websocket handlers of the open browser sessions
        self.sessions: set[asyncio.Task[Any]] = set()

    async def on_startup(self, app: Any) -> None:
        self.console.print(f"desk serve: open {self.public_url} in a browser", highlight=False)
        for line in self.banner:
            self.console.print(f"  {line}", highlight=False)

    async def handle_websocket(self, request: Any) -> Any:
        """One browser session, as textual-serve runs it, remembered until it ends."""
        task = asyncio.current_task()
        assert task is not None
        self.sessions.add(task)
        try:
            return await super().handle_websocket(request)
        finally:
            self.sessions.discard(task)

    async def on_shutdown(self, app: Any) -> None:
        """End every session as a closed tab does: textual-serve tells its app to quit and waits
        for the process to exit, and the app stops its sync child first. Without this the server
        would return with the apps and their sync children still running."""
        sessions = list(self.sessions)
        for task in sessions:
            task.cancel()
        await asyncio.gather(*sessions, return_exceptions=True)
