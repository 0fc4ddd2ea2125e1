"""`desk serve`'s relay: every browser session's own sync is turned away by the sync lock the
server's sync holds, so "poll now" (the feeds screen's `n`, the palette's "Poll feed now")
must reach the server's sync through the relay, and the screen must not give the refusal's
advice for a second service ("stop it first, or use cron") to an operator who did nothing
wrong. The server here is desk serve's own (DeskServer's startup and shutdown, without the
web port), its sync a real `desk sync --control` against desk.sim."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desk.cli.serve_server import DeskServer
from desk.operations.sync_process import SyncCommand
from desk.operations.sync_relay import RELAY_ENV
from desk.tui.app import create_app
from tests.tui.pilot import palette, settle
from tests.tui.test_live import Sim, demo_setup, small_sim  # noqa: F401 (the fixture)
from tests.waiting import until


async def test_poll_now_from_a_served_session_reaches_the_servers_sync(
    tmp_path: Path,
    small_sim: Sim,  # noqa: F811 (the fixture)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings, config = await demo_setup(tmp_path, small_sim)
    relay = tmp_path / "sync.sock"
    server = DeskServer(
        "true", sockets=[], banner=[], sync=SyncCommand.for_config(config), register=settings.register, relay=relay
    )
    events: list[dict[str, Any]] = []
    await server.on_startup(None)  # type: ignore[arg-type]  # (the web app is not used)
    try:
        assert server.sync is not None
        server.sync.on_event = events.append
        monkeypatch.setenv(RELAY_ENV, str(relay))  # as desk serve starts each session
        app = create_app(settings, settings.register.path, sync=SyncCommand.for_config(config))
        async with app.run_test(size=(120, 40)) as pilot:
            await until(lambda: app.sync_status.startswith("synced by desk serve"), "the session's refusal")
            assert f"(pid {server.sync.pid})" in app.sync_status and "stop it first" not in app.sync_status
            await pilot.press("f")
            await settle(pilot)
            name = app.screen.selected().name

            def polled() -> bool:
                return any(e.get("event") == "feed" and e.get("feed") == name for e in events)

            await until(polled, f"the server's first poll of {name}")
            events.clear()  # the server polls hourly: a record of this feed from now on is the relayed poll's
            await palette(pilot, "Poll feed now")
            await until(polled, f"{name} polled by the server's sync at the session's request")
            await pilot.press("q")
    finally:
        await server.on_shutdown(None)  # type: ignore[arg-type]
