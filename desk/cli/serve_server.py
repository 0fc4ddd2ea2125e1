"""textual-serve's Server as `desk serve` runs it: desk's own lines at start instead of
textual-serve's logo, one sync for the register however many browsers come and go, and a
shutdown that ends every browser session's app, then the sync, before it returns.

A module of its own so that only `desk serve` imports textual-serve (and its aiohttp, which
desk.cli never names itself: the import-linter contract "http" keeps aiohttp in desk.feeds;
the aiohttp objects here are typed Any)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import textual_serve
from textual_serve.server import Server

from desk.tui.live import SyncChild, SyncCommand

#: textual-serve's page fetches its font from Google: a third party told each time the desk is
#: opened, and a page that waits on a failing request on a machine without internet access
FONT_LINK = re.compile(r"<link[^>]*fonts\.googleapis\.com[^>]*>\s*")
#: the same font from the copy textual-serve ships (its static/fonts), served by this server
LOCAL_FONT = (
    '<style>@font-face { font-family: "Roboto Mono"; '
    'src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf"); }</style>\n    '
)


def local_page(folder: Path) -> Path:
    """A templates folder in `folder` holding textual-serve's page with the font served here:
    the browser then asks nothing of anyone but this server (tests/browser checks it)."""
    page = Path(textual_serve.__file__).parent / "templates" / "app_index.html"
    (folder / page.name).write_text(FONT_LINK.sub(lambda _: LOCAL_FONT, page.read_text(encoding="utf-8"), count=1))
    return folder


class DeskServer(Server):
    """One `desk` per browser session (textual-serve's), each ended on shutdown, and the
    register's sync run here, once.

    Each session's screen starts a sync child as in the terminal; the register's sync lock
    (desk.sync.lock) turns every one after the first away, and that screen then shows what the
    holder records. Were the holder a session's, closing that tab would leave the others with
    no sync at all; held here, it lives as long as the server."""

    def __init__(self, command: str, *, banner: list[str], sync: SyncCommand, **options: Any) -> None:
        super().__init__(command, **options)
        self.banner = banner
        self.sync_command = sync
        self.sync: SyncChild | None = None
        #: the websocket handlers of the open browser sessions
        self.sessions: set[asyncio.Task[Any]] = set()

    async def on_startup(self, app: Any) -> None:
        await self._start_sync()
        self.console.print(f"desk serve: open {self.public_url} in a browser", highlight=False)
        for line in self.banner:
            self.console.print(f"  {line}", highlight=False)

    async def _start_sync(self) -> None:
        """Start the sync and wait until it holds the register's lock (its first event), or has
        ended (another process syncs this register, or it could not start: said, and the
        sessions then sync as they would in a terminal)."""
        ready = asyncio.Event()
        ended: list[str] = []

        def on_exit(code: int, error: str | None) -> None:
            ended.append(f"exit {code}: {error or 'no reason given'}")
            ready.set()

        self.sync = SyncChild(self.sync_command, lambda _: ready.set(), on_exit)
        await self.sync.start()
        await ready.wait()
        if ended:
            self.console.print(f"desk serve: the sync did not start here ({ended[0]})", highlight=False)
            self.sync = None
        else:
            self.console.print(f"  the sync runs here (pid {self.sync.pid}) for every session", highlight=False)

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
        for the process to exit, and the app stops its own sync child first. Then the sync here
        finishes its write. Without this the server would return with all of them running."""
        sessions = list(self.sessions)
        for task in sessions:
            task.cancel()
        await asyncio.gather(*sessions, return_exceptions=True)
        if self.sync is not None:
            await self.sync.stop()
