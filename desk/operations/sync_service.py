"""Running the sync service in this process: `desk sync` (once for cron, or until stopped as
a service) and the demo's first round. One sync per register at a time (desk.register.sync_lock), the
alerts judged after each poll, and a stop that finishes the write in flight."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Callable

from desk.config import DeskSettings
from desk.feeds.http import http_session
from desk.register import Register, RegisterUnavailable, SyncAlreadyRunning, SyncClaim, claim_sync
from desk.sync import SyncEngine
from desk.sync.alerting import alerting
from desk.sync.chainwatch import ChainWatchHook
from desk.sync.control import read_commands
from desk.sync.events import RoundFinished, SyncEvent

#: SyncAlreadyRunning: what `claim_register` raises when another sync holds the register
__all__ = ["SyncAlreadyRunning", "claim_register", "run_engine", "stop_on_signals"]


async def claim_register(settings: DeskSettings) -> SyncClaim:
    """The configured register's one sync, claimed (on PostgreSQL across every machine):
    RegisterUnavailable when there is no register, SyncAlreadyRunning when another sync
    holds it. Release it when done."""
    if settings.register.is_sqlite and not settings.register.path.exists():
        raise RegisterUnavailable(f"{settings.register.path}: no register here; run `desk init` to create it")
    return await claim_sync(settings.register)


def stop_on_signals() -> asyncio.Event:
    """An event set on SIGINT or SIGTERM: a service stops between writes, never inside one."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def run_engine(
    settings: DeskSettings,
    *,
    once: bool,
    reporter: Callable[[SyncEvent], None],
    stop: asyncio.Event | None = None,
    pacing: bool = True,
    control: bool = False,
) -> bool:
    """Run the engine over the configured register; True when every feed answered well.
    `pacing=False` only for desk's own simulator, which has no rate limits to respect.
    `control`: a service also obeys commands on stdin (desk.sync.control)."""
    async with (
        Register.open(settings.register, operator=settings.operator.name) as register,
        http_session(pacing=pacing) as http,
        alerting(settings) as alerts,
    ):
        engine = SyncEngine(settings, register, http)
        engine.subscribe(reporter)
        alerts.attach(register, engine)  # [[alerts]] notices as JSON lines, judged after each poll
        chains = ChainWatchHook(settings, alerts.emit)  # transfers in flight, unrecorded movements
        chains.attach(register, engine)
        if once:
            round_task = asyncio.ensure_future(_round_then_watch(engine, chains))
            stopper = asyncio.ensure_future((stop or asyncio.Event()).wait())
            done, _ = await asyncio.wait({round_task, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if round_task in done:
                stopper.cancel()
                summary = round_task.result()
                for reason in summary.reasons:  # one line per failed feed, whatever the reporter
                    print(f"desk sync: {reason}", file=sys.stderr, flush=True)
                return not summary.failed
            round_task.cancel()
            await asyncio.gather(round_task, return_exceptions=True)
            await engine.drain()
            return True
        stop = stop or asyncio.Event()
        commands = asyncio.ensure_future(read_commands(engine, stop)) if control else None
        watching = asyncio.ensure_future(chains.run(stop))
        await engine.run(stop)
        await asyncio.gather(watching, return_exceptions=True)
        if commands is not None:
            commands.cancel()
            await asyncio.gather(commands, return_exceptions=True)
        return all(feed.health.last_error is None for feed in engine.feeds)


async def _round_then_watch(engine: SyncEngine, chains: ChainWatchHook) -> RoundFinished:
    """One round of the feeds, then one poll of the chain watch (after the payouts it may
    recognise are written)."""
    summary = await engine.run_once()
    await chains.poll()
    return summary
