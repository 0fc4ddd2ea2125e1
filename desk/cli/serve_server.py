"""textual-serve's Server as `desk serve` runs it: desk's own lines at start instead of
textual-serve's logo, one sync for the register however many browsers come and go, and a
shutdown that ends every browser session's app, then the sync, before it returns.

A module of its own so that only `desk serve` imports textual-serve and aiohttp's web server
(the import-linter contract "http" names this module as the one place outside desk.feeds and
desk.sim that may)."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import socket
from pathlib import Path
from typing import Any

import textual_serve
from aiohttp import web
from textual_serve.server import Server

from desk.operations.sync_process import SyncChild, SyncCommand
from desk.operations.sync_relay import serve_relay
from desk.register import Location, RegisterUnavailable, holds_sync

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


#: seconds between looks at the register's sync claim while the server's sync starts
LOCK_CHECK = 0.05  # float-ok: seconds


class DeskServer(Server):
    """One `desk` per browser session (textual-serve's), each ended on shutdown, and the
    register's sync run here, once.

    Each session's screen starts a sync child as in the terminal; the register's sync lock
    (desk.sync.lock) turns every one after the first away, and that screen then shows what the
    holder records. Were the holder a session's, closing that tab would leave the others with
    no sync at all; held here, it lives as long as the server."""

    def __init__(
        self,
        command: str,
        *,
        sockets: list[socket.socket],
        banner: list[str],
        sync: SyncCommand,
        register: Location,
        relay: Path,
        **options: Any,
    ) -> None:
        super().__init__(command, **options)
        #: where it listens: bound by desk serve (desk.cli.serve_address), so the port is
        #: never free between the check and the listening
        self.sockets = sockets
        #: the socket where sessions ask this sync to poll a feed now (desk.operations.sync_relay)
        self.relay = relay
        self._relay_server: asyncio.Server | None = None
        self.banner = banner
        self.sync_command = sync
        #: the register the sync keeps (a file or a PostgreSQL database), whose one sync
        #: claim (desk.register.sync_lock) the server's sync is to hold
        self.register = register
        self.sync: SyncChild | None = None
        self._sync_exited = asyncio.Event()
        #: the sync holds the lock: an exit from now on is news for the operator
        self._sync_running = False
        #: the websocket handlers of the open browser sessions
        self.sessions: set[asyncio.Task[Any]] = set()

    def serve(self, debug: bool = False) -> None:
        """textual-serve's `serve`, on the sockets `desk serve` bound (desk.cli.serve_address),
        with desk's lines printed once they listen (so a browser sent there finds it), and on a
        loop of its own. SIGINT and SIGTERM stop it."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        for stop in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(stop, self.request_exit)
        try:
            web.run_app(self._make_app(), sock=self.sockets, handle_signals=False, loop=loop, print=self._listening)
        finally:
            loop.close()

    def _listening(self, *_: object) -> None:
        self.console.print(f"desk serve: open {self.public_url} in a browser", highlight=False, soft_wrap=True)
        for line in self.banner:
            self.console.print(f"  {line}", highlight=False, soft_wrap=True)

    async def on_startup(self, app: web.Application) -> None:
        """Before the port listens: the register's sync, which every session will see, and
        the relay through which their "poll now" reaches it."""
        await self._start_sync()
        if self.sync is not None:
            self._relay_server = await serve_relay(self.relay, self._poll)

    def _poll(self, name: str) -> str:
        """A session's "poll now", passed to the sync's control input."""
        if self.sync is None:
            return "the server's sync has stopped: restart desk serve"
        self.sync.poll(name)
        return f"polling {name} now"

    async def _start_sync(self) -> None:
        """Start the sync and wait until it holds the register's sync claim (a sync with no
        feeds says nothing else), or has ended (another process syncs this register, or it
        could not start: said, and the sessions then sync as in a terminal)."""
        self.sync = SyncChild(self.sync_command, lambda _: None, self._sync_ended)
        await self.sync.start()
        while self.sync is not None and not await self._holds_claim():  # taken within its first second
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._sync_exited.wait(), LOCK_CHECK)
        if self.sync is not None:
            self._sync_running = True
            self.banner.append(f"the register's sync runs here (pid {self.sync.pid}) for every session")

    def _sync_ended(self, code: int, error: str | None) -> None:
        """The server's sync exited by itself (its stop at shutdown is not reported here)."""
        reason = error or f"exit {code}"
        self.sync = None
        self._sync_exited.set()
        if self._sync_running:  # said where the operator who started the server looks
            self.console.print(
                f"desk serve: the register's sync stopped ({reason}); the sessions show the register as last "
                "synced until the server is restarted",
                highlight=False,
                soft_wrap=True,
            )
        elif "already syncing" in reason:
            self.banner.append(f"the register is synced elsewhere: {reason.removeprefix('desk sync: ')}")
        else:
            self.banner.append(f"the sync did not start here ({reason}): each session starts its own")

    async def _holds_claim(self) -> bool:
        if self.sync is None or self.sync.pid is None:
            return False
        try:
            return await holds_sync(self.register, self.sync.pid)
        except RegisterUnavailable:  # the server is unreachable for now: the sync will say so, or hold it
            return False

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One browser session, as textual-serve runs it, remembered until it ends."""
        task = asyncio.current_task()
        assert task is not None
        self.sessions.add(task)
        try:
            return await super().handle_websocket(request)
        finally:
            self.sessions.discard(task)

    async def on_shutdown(self, app: web.Application) -> None:
        """End every session as a closed tab does: textual-serve tells its app to quit and waits
        for the process to exit, and the app stops its own sync child first. Then the sync here
        finishes its write. Without this the server would return with all of them running."""
        sessions = list(self.sessions)
        for task in sessions:
            task.cancel()
        await asyncio.gather(*sessions, return_exceptions=True)
        if self._relay_server is not None:
            self._relay_server.close()
        if self.sync is not None:
            await self.sync.stop()
