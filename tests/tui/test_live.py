"""The screen's live link: the sync as a child process against desk.sim, its events in
`app.feeds`, `poll_feed`, register changes from any writer, a clean quit in mid-sync."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from textual.widgets import Static

from desk.cli.demo_cmds import demo_operators, sim_argv, write_config
from desk.config import load_settings
from desk.money import BTC, Amount
from desk.operations.sync_process import SyncCommand
from desk.register import NewEntry, Posting, Register
from desk.register.verify import verify_file
from desk.tui.app import create_app
from desk.tui.feed_states import FeedState
from desk.tui.screens.register import RegisterScreen
from tests.waiting import PATIENCE, until


class Sim:
    """`desk sim` in its own process, as `desk demo` runs it."""

    def __init__(self, process: asyncio.subprocess.Process, overrides: dict[str, Any]) -> None:
        self.process = process
        self.overrides = overrides

    async def fault(self, feed: str, fault: str) -> None:
        url = self.overrides["pools"][feed]["base_url"]
        async with aiohttp.ClientSession() as session, session.post(f"{url}/__sim/fault", json={"fault": fault}) as r:
            assert r.status == 200, await r.text()


async def start_sim(*args: str) -> Sim:
    env = SyncCommand.for_config(None).env
    process = await asyncio.create_subprocess_exec(*sim_argv(*args), stdout=asyncio.subprocess.PIPE, env=env)
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), PATIENCE)
    return Sim(process, json.loads(line))


@pytest.fixture
async def small_sim() -> AsyncIterator[Sim]:
    sim = await start_sim("--seed", "5", "--days", "10")
    yield sim
    sim.process.terminate()
    await sim.process.wait()


@pytest.fixture
async def big_sim() -> AsyncIterator[Sim]:
    """100k payouts: 4 pools x 20 days x 1,250 a day."""
    sim = await start_sim("--seed", "3", "--days", "20", "--payouts-per-day", "1250", "--threshold-sats", "1")
    yield sim
    sim.process.terminate()
    await sim.process.wait()


async def demo_setup(tmp_path: Path, sim: Sim, **sync: int) -> tuple[Any, Path]:
    register = tmp_path / "live.sqlite"
    config = write_config(
        tmp_path / "live.toml",
        {
            **sim.overrides,
            "register": {"path": str(register)},
            "operator": {"name": "demo-maker"},
            "sync": {"backfill_days": 25, "pools_interval": 3600, "prices_interval": 3600, **sync},
        },
    )
    settings = load_settings(config, env={})
    async with Register.open(register, operator="demo-maker", create=True) as reg:
        await reg.init_accounts(settings)
    return settings, config


def feed(app: Any, name: str) -> FeedState:
    return next(f for f in app.feeds if f.name == name)


def shown_count(app: Any) -> int:
    text = str(app.get_screen("dashboard").query_one("#dash-recent", Static).render())
    match = re.search(r"([\d,]+) entries", text)
    return int(match.group(1).replace(",", "")) if match else -1


async def test_the_screen_keeps_up_with_a_100k_sync_and_quitting_midway_leaves_a_verified_register(
    tmp_path: Path, big_sim: Sim
) -> None:
    settings, config = await demo_setup(tmp_path, big_sim)
    app = create_app(settings, settings.register.path, sync=SyncCommand.for_config(config))
    records: list[dict] = []
    app.live.listen(records.append)
    pools = set(big_sim.overrides["pools"])
    async with app.run_test(size=(120, 40)) as pilot:
        child = app.live.child
        assert child is not None and child.pid
        await until(lambda: shown_count(app) > 0, "the dashboard to show the first entries")
        first = shown_count(app)
        assert app.register is not None
        register = app.register

        async def wrote_more_or_finished() -> bool:
            """The register holds more than was shown, or every pool's backfill is over (on a
            loaded machine the first count shown may already be the whole window: no more comes)."""
            finished = {r.get("feed") for r in records if r.get("event") == "feed"} >= pools
            return finished or await register.count() > first

        await until(wrote_more_or_finished, "the sync to write more entries or finish its backfill")
        target = await register.count()
        # the screen keeps up: it comes to show what the register held at that moment
        await until(lambda: shown_count(app) >= target, f"the dashboard to show the register's {target} entries")
        assert app.data_version > 0
        assert app.sync_status.startswith(("backfilling", "sync running"))
        # a key press answered promptly while the backfill goes on: measured in the CPU time of
        # the screen's own thread, which a loaded machine does not stretch (wall time it does)
        started = time.thread_time()
        await pilot.press("r")
        await until(lambda: isinstance(app.screen, RegisterScreen), "the register screen")
        answered = time.thread_time() - started
        await pilot.press("d")
        count_before_quit = shown_count(app)
        await pilot.press("q")
    # generous, as the dashboard redraws while entries land; an app whose loop does the sync's
    # work (the engine in-process: parsing and hashing 100k entries) spends far more
    assert answered < 3.0, f"the screen's thread spent {answered:.2f} s of CPU bringing up the register screen"
    assert child.process is not None and child.process.returncode == 0  # SIGTERM: finished its write, exit 0
    result = verify_file(settings.register.path)
    assert result.ok, result
    async with Register.open(settings.register.path, operator="check") as register:
        written = await register.count()
    assert count_before_quit <= written < 110_000  # quit while the backfill was still going


async def test_a_feed_fault_shows_in_app_feeds_with_its_reason(tmp_path: Path, small_sim: Sim) -> None:
    await small_sim.fault("foundry", "403")
    settings, config = await demo_setup(tmp_path, small_sim)
    app = create_app(settings, settings.register.path, sync=SyncCommand.for_config(config))
    records: list[dict] = []
    app.live.listen(records.append)  # told of each record before `app.feeds` applies it
    async with app.run_test(size=(120, 40)) as pilot:
        # a feed is "waiting" until the sync child's first word on it, which may already have come
        reported = {r["feed"] for r in records if r.get("event") == "feed"}
        assert all(f.state == "waiting" for f in app.feeds if f.name not in reported), (app.feeds, reported)
        assert {f.name for f in app.feeds} >= {"foundry", "ocean"}
        assert app.live.child is not None and app.live.child.pid
        await until(
            lambda: os.getpriority(os.PRIO_PROCESS, app.live.child.pid) > os.getpriority(os.PRIO_PROCESS, 0),
            "the sync child to lower its priority",
        )
        await until(lambda: feed(app, "foundry").state == "down", "foundry down")
        foundry = feed(app, "foundry")
        assert "credentials refused" in (foundry.reason or "")
        assert foundry.failures and "credentials refused" in foundry.failures[0][1]
        await until(lambda: feed(app, "ocean").state == "ok", "ocean ok")
        assert feed(app, "ocean").last_ok is not None and feed(app, "ocean").kind == "pool"
        await pilot.press("q")


async def test_poll_feed_makes_the_child_poll_now(tmp_path: Path, small_sim: Sim) -> None:
    settings, config = await demo_setup(tmp_path, small_sim)  # intervals of an hour: only a request polls
    app = create_app(settings, settings.register.path, sync=SyncCommand.for_config(config))
    records: list[dict] = []
    app.live.listen(records.append)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: feed(app, "ocean").state == "ok", "ocean's first poll")
        assert any(r["event"] == "feed" and r["feed"] == "ocean" for r in records)
        await small_sim.fault("ocean", "500")
        # no poll of its own for an hour: while the child answers a poll of another feed, ocean
        # is not polled (the other feed's record is the event that says the child has moved on)
        seen = len(records)
        app.poll_feed("foundry")
        await until(lambda: any(r.get("feed") == "foundry" for r in records[seen:]), "foundry polled on request")
        assert not [r for r in records[seen:] if r.get("feed") == "ocean"]
        assert feed(app, "ocean").state == "ok"
        app.poll_feed("ocean")
        await until(lambda: feed(app, "ocean").state in ("degraded", "down"), "ocean polled again")
        assert feed(app, "ocean").reason
        child = app.live.child
        await pilot.press("ctrl+c")  # quits like q: the sync child is stopped and exits cleanly
    assert child is not None and child.process is not None and child.process.returncode == 0


async def test_a_write_by_another_connection_bumps_data_version_and_no_sync_says_why(make_app, seeded) -> None:
    _, path = seeded
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.live.child is None and "no sync" in app.sync_status
        before = app.data_version
        async with Register.open(path, operator="bolat") as other:
            amount = Amount(BTC, "0.001")
            await other.post(
                NewEntry(
                    kind="opening",
                    ts=datetime(2026, 1, 1, tzinfo=UTC),
                    memo="another desk",
                    postings=(Posting("equity:opening", -amount), Posting("assets:reserve:cold", amount)),
                )
            )
        await until(lambda: app.data_version > before, "data_version to move")
        await pilot.press("q")


async def test_a_sync_that_cannot_start_marks_every_feed_down_and_a_poll_starts_it_again(
    tmp_path: Path, small_sim: Sim
) -> None:
    settings, config = await demo_setup(tmp_path, small_sim)
    broken = write_config(tmp_path / "broken.toml", {"sync": {"pools_interval": -1}})
    app = create_app(settings, settings.register.path, sync=SyncCommand.for_config(broken))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: app.feeds[0].state == "down", "the feeds to be marked down")
        assert all("sync.pools_interval" in (f.reason or "") for f in app.feeds), app.feeds
        assert "sync stopped (exit 2)" in app.sync_status
        # the configuration mended, asking for a poll starts the sync again
        broken.write_text(config.read_text())
        app.poll_feed("ocean")
        await until(lambda: feed(app, "ocean").state == "ok", "ocean polled by the restarted sync")
        assert app.live.child is not None
        await pilot.press("q")


async def test_with_a_sync_service_already_running_the_screen_follows_its_records(
    tmp_path: Path, small_sim: Sim
) -> None:
    settings, config = await demo_setup(tmp_path, small_sim)
    service = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "desk",
        "sync",
        "--json",
        "--config",
        str(config),
        env=SyncCommand.for_config(config).env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert service.stdout is not None
    await asyncio.wait_for(service.stdout.readline(), PATIENCE)  # it holds the sync lock now
    try:
        app = create_app(settings, settings.register.path, sync=SyncCommand.for_config(config))
        async with app.run_test(size=(120, 40)) as pilot:
            await until(lambda: app.sync_status.startswith("synced by another process"), "the refusal")
            # the holder named; not the refusal's advice for a second service ("stop it first")
            assert f"(pid {service.pid})" in app.sync_status and "stop it first" not in app.sync_status
            # no relay to it (not desk serve's): "poll now" says it is not done, not that it is
            assert app.poll_feed("ocean").startswith("not polled: synced by another process")
            await until(lambda: feed(app, "ocean").state == "ok", "ocean's state from the register")
            assert feed(app, "ocean").last_ok is not None
            await pilot.press("q")
    finally:
        service.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(service.wait(), PATIENCE) == 0


def test_demo_operators_and_the_demo_config_file(tmp_path: Path) -> None:
    assert demo_operators(None) == ("demo-maker", "demo-checker")
    assert demo_operators("demo-checker") == ("demo-checker", "demo-maker")
    assert demo_operators("aliya") == ("aliya", "demo-maker")
    config = write_config(
        tmp_path / "demo.toml",
        {
            "register": {"path": str(tmp_path / "r.sqlite")},
            "pools": {"ocean": {"kind": "ocean", "base_url": "http://127.0.0.1:1", "user": "x"}},
            "prices": {
                "sources": {"binance": {"kind": "binance", "base_url": "http://127.0.0.1:2", "symbols": ["BTCUSDT"]}}
            },
        },
    )
    settings = load_settings(config, env={})
    assert settings.pools["ocean"].base_url == "http://127.0.0.1:1"
    assert settings.prices.sources["binance"].symbols == ["BTCUSDT"]
