"""The service keeps every feed going: an exception at any stage of one feed (fetch, parse,
map, write) leaves the others polling, marks that feed down with a traceback id, and the
feed recovers once the fault is gone; a one-shot round reports it instead of raising; a
silent price stream is stale, recorded and alerted like any other feed.

Every wait here is for an event the engine publishes (bounded by a timeout that only a
failure reaches), never for a duration."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest

from desk.config import DeskSettings, load_settings
from desk.feeds.clock import FakeClock
from desk.feeds.http import HttpClient, RetryPolicy
from desk.feeds.prices.binance_ws import BinanceStream
from desk.register import Register
from desk.sim import SimCluster
from desk.sync import SyncEngine
from desk.sync.alerting import alerting
from desk.sync.events import FeedCrashed, FeedPolled, SyncEvent
from desk.sync.mapping import map_records
from tests.builders import HANG_S, NOW
from tests.waiting import PATIENCE


@dataclass
class Watch:
    """The engine's events, and a way to wait until they say something."""

    events: list[SyncEvent] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def __call__(self, event: SyncEvent) -> None:
        self.events.append(event)
        self.arrived.set()

    async def until(self, holds: Callable[[list[SyncEvent]], Any]) -> Any:
        async def wait() -> Any:
            while not (found := holds(self.events)):
                self.arrived.clear()
                await self.arrived.wait()
            return found

        return await asyncio.wait_for(wait(), PATIENCE)

    def mark(self) -> int:
        return len(self.events)


def polled(events: list[SyncEvent], since: int, name: str, status: str | None = None) -> list[FeedPolled]:
    return [
        e
        for e in events[since:]
        if isinstance(e, FeedPolled) and e.feed == name and (status is None or e.status == status)
    ]


def crashes(events: list[SyncEvent], since: int, name: str) -> list[FeedCrashed]:
    return [e for e in events[since:] if isinstance(e, FeedCrashed) and e.feed == name]


@pytest.fixture
def fast(settings: DeskSettings) -> DeskSettings:
    sync = settings.sync.model_copy(update={"prices_interval": 1, "pools_interval": 1})
    return settings.model_copy(update={"sync": sync})


@asynccontextmanager
async def service(settings: DeskSettings, **engine_args: Any) -> AsyncIterator[tuple[SyncEngine, Watch]]:
    """The engine running as a service on the simulator, its events watched."""
    async with (
        Register.open(settings.register.path, operator="sync-bot") as register,
        aiohttp.ClientSession() as session,
    ):
        http = HttpClient(
            session,
            clock=FakeClock(NOW),
            pacing=False,
            # no fault here hangs: a timeout only a hang reaches, or a loaded machine's slow answer
            # would be a failed poll (a "down" where the test waits for "degraded" or "ok")
            policy=RetryPolicy(attempts=1, base_delay_s=0.01, timeout_s=HANG_S),
        )
        engine = SyncEngine(settings, register, http, **engine_args)
        watch = Watch()
        engine.subscribe(watch)
        stop = asyncio.Event()
        task = asyncio.create_task(engine.run(stop))
        try:
            yield engine, watch
        finally:
            stop.set()
            await asyncio.wait_for(task, PATIENCE)


class Faults:
    """Desk bugs injected into one pool at one stage: parse, map, write."""

    def __init__(self, engine: SyncEngine, victim: str) -> None:
        self.engine, self.victim, self.stage = engine, victim, ""
        feed = next(f for f in engine.feeds if f.name == victim)
        parse = feed.client.off_loop
        ingest = engine.register.ingest

        async def off_loop(work, size):  # type: ignore[no-untyped-def]
            if self.stage == "parse":
                raise KeyError("a parser bug")
            return await parse(work, size)

        def mapper(earnings, payouts, wallet):  # type: ignore[no-untyped-def]
            if self.stage == "map" and any(r.pool == victim for r in [*earnings, *payouts]):
                raise ZeroDivisionError("a mapping bug")
            return map_records(earnings, payouts, wallet)

        async def guarded_ingest(batch):  # type: ignore[no-untyped-def]
            if self.stage == "write" and any(e.source == f"pool:{victim}" for e in batch):
                raise RuntimeError("the disk is on fire")
            return await ingest(batch)

        feed.client.off_loop = off_loop  # type: ignore[method-assign]
        engine.mapper = mapper
        engine.register.ingest = guarded_ingest  # type: ignore[method-assign]


STAGES = {
    "parse": "read its answer: KeyError",
    "map": "mapped its records to entries: ZeroDivisionError",
    "write": "wrote to the register: RuntimeError",
}


async def test_an_exception_at_every_stage_of_one_feed_leaves_the_others_going_and_it_recovers(
    fast: DeskSettings, sim: SimCluster, caplog: pytest.LogCaptureFixture
) -> None:
    sim.state.stream_interval_s = 0.05
    async with service(fast, restart_after_s=0.05) as (engine, watch):
        names = [f.name for f in engine.feeds]
        others = [n for n in names if n != "braiins"]
        await watch.until(lambda ev: all(polled(ev, 0, n, "ok") for n in names))
        faults = Faults(engine, "braiins")
        # fetch: the source fails (HTTP 500): the feed is degraded, then answers again
        start = watch.mark()
        sim.faults.set("braiins", "500")
        await watch.until(lambda ev: polled(ev, start, "braiins", "degraded"))
        await watch.until(lambda ev: all(polled(ev, start, n, "ok") for n in others))
        sim.faults.clear()
        await watch.until(lambda ev: polled(ev, start, "braiins", "ok"))
        # parse, map, write: desk's own bugs: down with a traceback id, restarted, recovered
        for stage, words in STAGES.items():
            faults.stage = stage
            await one_crash(engine, watch, words, others, caplog)
            faults.stage = ""
            start = watch.mark()
            await watch.until(lambda ev, start=start: polled(ev, start, "braiins", "ok"))
        assert engine.supervisor.crashes["braiins"] >= 3
        assert set(engine.supervisor.crashes) == {"braiins"}
    assert (await _verify(fast)).ok


async def one_crash(engine: SyncEngine, watch: Watch, words: str, others: list[str], caplog) -> None:  # type: ignore[no-untyped-def]
    """The next crash of braiins: said with its stage and traceback id, the feed down in the
    events and the register, and every other feed polled well after it."""
    start = watch.mark()
    crash = (await watch.until(lambda ev: crashes(ev, start, "braiins")))[0]
    assert words in crash.error and crash.restart_in_s is not None
    assert f"(traceback {crash.traceback_id})" in crash.error
    assert crash.traceback_id in caplog.text  # the traceback is logged under its id
    after = watch.events.index(crash)
    down = await watch.until(lambda ev: polled(ev, after, "braiins", "down"))
    assert crash.traceback_id in (down[0].reason or "")
    state = (await engine.register.sync_state())["braiins"]
    assert state["state"] == "down" and crash.traceback_id in state["reason"]
    await watch.until(lambda ev: all(polled(ev, after, n, "ok") for n in others))


async def _verify(settings: DeskSettings):  # type: ignore[no-untyped-def]
    async with Register.open(settings.register.path, operator="check") as register:
        return await register.verify()


async def test_a_one_shot_round_reports_a_crash_and_writes_the_other_feeds(
    settings: DeskSettings, sim: SimCluster, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="desk.crash")
    async with (
        Register.open(settings.register.path, operator="sync-bot") as register,
        aiohttp.ClientSession() as session,
    ):
        http = HttpClient(session, clock=FakeClock(NOW), pacing=False, policy=RetryPolicy(attempts=1))
        engine = SyncEngine(settings, register, http)
        watch = Watch()
        engine.subscribe(watch)
        Faults(engine, "f2main").stage = "write"
        summary = await engine.run_once()  # no exception escapes
        assert summary.failed == ("f2main",)
        (reason,) = summary.reasons
        assert reason.startswith("f2main: f2main: unexpected error while it wrote to the register: RuntimeError")
        (crash,) = crashes(watch.events, 0, "f2main")
        assert crash.restart_in_s is None and f"traceback {crash.traceback_id}" in caplog.text
        assert "Traceback (most recent call last)" in caplog.text  # in the log, not in the reason
        for pool in ("braiins", "foundry", "ocean"):
            assert (await register.balance(f"income:mining:{pool}", "BTC")).value < 0, pool
        assert (await register.balance("income:mining:f2main", "BTC")).value == 0


async def test_a_silent_stream_is_stale_recorded_and_alerted(tmp_path, sim: SimCluster) -> None:
    from tests.sync.conftest import write_config

    config = write_config(
        tmp_path / "desk.toml",
        tmp_path / "register.sqlite",
        sim.settings_overrides(),
        prices_interval=1,
        pools_interval=3600,
    )
    with config.open("a") as out:
        out.write('\n[[alerts]]\nkind = "feed"\nname = "feeds"\nfeed = "binance_ws"\n')
    settings = load_settings(config, env={})
    async with Register.open(settings.register.path, operator="admin", create=True) as register:
        await register.init_accounts(settings)
    sim.state.stream_interval_s = 0.05
    notices: list = []
    noticed = asyncio.Event()

    def emit(notice) -> None:  # type: ignore[no-untyped-def]
        notices.append(notice)
        noticed.set()

    async with alerting(settings, emit) as alerts, service(settings) as (engine, watch):
        alerts.attach(engine.register, engine)
        session = engine.http.session
        engine.streams = [
            BinanceStream(
                "binance_ws",
                settings.prices.sources["binance_ws"],
                session,
                clock=engine.clock,
                silence_s=0.3,
                max_backoff_s=0.1,
            )
        ]
        # the engine's streams are set before `run` starts them: it starts in the same tick
        await watch.until(lambda ev: polled(ev, 0, "binance_ws", "ok"))
        start = watch.mark()
        sim.faults.set("binance", "ws_silent")
        stale = await watch.until(lambda ev: polled(ev, start, "binance_ws", "stale"))
        assert "silent" in (stale[0].reason or "")
        state = (await engine.register.sync_state())["binance_ws"]
        assert state["state"] == "stale"
        await asyncio.wait_for(noticed.wait(), PATIENCE)
        assert notices[0].subject == "feed binance_ws" and "stale" in notices[0].message
        sim.faults.clear()
        start = watch.mark()
        await watch.until(lambda ev: polled(ev, start, "binance_ws", "ok"))
