"""`desk sync` as cron and systemd run it: exit codes, JSON lines, signals, kills, one service."""

from __future__ import annotations

import asyncio
import json
import random
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from desk.config import DeskSettings
from desk.register import Register
from desk.register.verify import verify_file
from desk.sim import SimCluster
from tests.builders import NOW, desk_command, desk_env, run_desk
from tests.conftest import REPO
from tests.sync.conftest import write_config
from tests.waiting import PATIENCE


async def test_sync_once_writes_everything_and_logs_json_lines(
    config: Path, settings: DeskSettings, sim: SimCluster
) -> None:
    code, out, err = await run_desk(config, "sync", "--once")
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    feeds = {e["feed"]: e for e in events if e["event"] == "feed"}
    assert set(feeds) == {"braiins", "f2main", "foundry", "ocean", "binance", "kraken", "coinbase", "nbk"}
    assert all(e["status"] == "ok" for e in feeds.values())
    assert events[-1]["event"] == "round_finished"
    code, out, _ = await run_desk(config, "status")
    assert code == 0 and "braiins" in out


async def test_one_feed_down_exit_1_with_the_reason_in_the_log(
    config: Path, settings: DeskSettings, sim: SimCluster
) -> None:
    sim.faults.set("foundry", "403")
    code, out, _ = await run_desk(config, "sync", "--once")
    assert code == 1
    feeds = {e["feed"]: e for e in map(json.loads, out.splitlines()) if e["event"] == "feed"}
    assert feeds["foundry"]["status"] == "down" and "credentials refused" in feeds["foundry"]["reason"]
    assert feeds["ocean"]["status"] == "ok" and feeds["ocean"]["written"] > 0


async def test_bad_configuration_exits_2_and_missing_register_exits_3(tmp_path: Path, sim: SimCluster) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[sync]\npools_interval = -1\n")
    code, _, err = await run_desk(bad, "sync", "--once")
    assert code == 2 and "sync.pools_interval" in err
    fresh = write_config(tmp_path / "fresh.toml", tmp_path / "none.sqlite", sim.settings_overrides())
    code, _, err = await run_desk(fresh, "sync", "--once")
    assert code == 3 and "desk init" in err


async def start_service(config: Path, **env: str) -> asyncio.subprocess.Process:
    """`desk sync` as a service; returns once it has reported its first event. (The
    simulator runs on this test's event loop, so the wait must not block it.)"""
    service = await asyncio.create_subprocess_exec(
        *desk_command("sync"),
        env={**desk_env(config), **env},
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert service.stdout is not None
    await asyncio.wait_for(service.stdout.readline(), PATIENCE)
    return service


async def test_a_second_sync_service_refuses_to_start(config: Path, settings: DeskSettings) -> None:
    first = await start_service(config)
    try:
        code, _, err = await run_desk(config, "sync", "--once")
        assert code == 3 and "already syncing" in err
    finally:
        first.send_signal(signal.SIGTERM)
        await asyncio.wait_for(first.wait(), PATIENCE)


async def test_sigterm_during_a_round_exits_0_quickly_and_the_register_verifies(
    config: Path, settings: DeskSettings, sim: SimCluster
) -> None:
    service = await start_service(config)  # braiins is still backfilling: a round is in flight
    service.send_signal(signal.SIGTERM)
    code = await asyncio.wait_for(service.wait(), PATIENCE)
    assert code == 0, (await service.stderr.read()).decode() if service.stderr else ""
    assert verify_file(settings.register.path).ok
    # quickly: it finished the write under way, not the round (whatever the machine's speed)
    model = sim.model.pools.values()
    whole_round = sum(len(p.payouts_until(sim.now())) + len(p.earnings_until(sim.now())) for p in model)
    async with Register.open(settings.register.path, operator="check") as register:
        assert await register.count() < whole_round


async def test_kill_9_during_a_100k_backfill_twenty_times_loses_and_doubles_nothing(tmp_path: Path) -> None:
    async with SimCluster(seed=3, now=NOW, days=21, payouts_per_day=1250, threshold_sats=1) as sim:
        config = write_config(tmp_path / "big.toml", tmp_path / "big.sqlite", sim.settings_overrides())
        assert (await run_desk(config, "init"))[0] == 0
        expected = sum(len(p.payouts_until(sim.now())) for p in sim.model.pools.values())
        assert expected >= 100_000
        rng = random.Random(20)
        for _ in range(20):
            process = await asyncio.create_subprocess_exec(
                *desk_command("sync", "--once"),
                env=desk_env(config),
                cwd=REPO,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            await asyncio.sleep(rng.uniform(0.5, 6.0))
            if process.returncode is None:
                process.kill()
            await process.wait()
        code, _, err = await run_desk(config, "sync", "--once", timeout=600)
        assert code == 0, err
        settings_path = tmp_path / "big.sqlite"
        async with Register.open(settings_path, operator="check") as register:
            payouts = 0
            for pool in sim.model.pools:
                earned = -(await register.balance(f"income:mining:{pool}", "BTC")).units
                paid = earned - (await register.balance(f"assets:pool:{pool}", "BTC")).units
                assert (earned, paid) == sim.truth(pool)
            state = await register.sync_state()
            payouts = await register.count()
        assert payouts == expected + sum(len(p.earnings_until(sim.now())) for p in sim.model.pools.values())
        assert state["braiins"]["state"] == "ok"
        assert verify_file(settings_path).ok


async def test_a_tui_like_writer_and_desk_sync_together_for_30_seconds(config: Path, settings: DeskSettings) -> None:
    service = await start_service(config, DESK_SYNC__PRICES_INTERVAL="1", DESK_SYNC__POOLS_INTERVAL="2")
    from desk.money import Amount
    from desk.register import NewEntry, Posting
    from tests.register.conftest import BTC

    posted = 0
    try:
        async with Register.open(settings.register.path, operator="operator") as register:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                amount = Amount.from_units(BTC, 1000 + posted)
                await register.post(
                    NewEntry(
                        kind="opening",
                        ts=NOW,
                        memo=f"tui {posted}",
                        postings=(Posting("equity:opening", -amount), Posting("assets:reserve:cold", amount)),
                    )
                )
                posted += 1
                await asyncio.sleep(0.02)
    finally:
        service.send_signal(signal.SIGTERM)
        await asyncio.wait_for(service.wait(), PATIENCE)
    err = (await service.stderr.read()).decode() if service.stderr else ""
    assert "locked" not in err and "Traceback" not in err, err
    async with Register.open(settings.register.path, operator="check") as register:
        reserve = await register.balance("assets:reserve:cold", "BTC")
        assert reserve.units == sum(1000 + i for i in range(posted))
        assert (await register.verify()).ok


def test_the_sync_engine_never_imports_textual() -> None:
    code = "import sys, desk.sync, desk.cli.sync_cmds; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == "False"


async def test_a_ban_is_honoured_by_the_next_process(config: Path, settings: DeskSettings, sim: SimCluster) -> None:
    sim.faults.set("binance", "418")
    code, out, _ = await run_desk(config, "sync", "--once")
    feeds = {e["feed"]: e for e in map(json.loads, out.splitlines()) if e["event"] == "feed"}
    assert code == 1 and feeds["binance"]["status"] == "down" and "banned until" in feeds["binance"]["reason"]
    sim.faults.clear()  # Binance would answer now, but the ban (Retry-After 120 s) still runs
    asked = sim.state.requests["binance"]
    code, out, err = await run_desk(config, "sync", "--once")
    feeds = {e["feed"]: e for e in map(json.loads, out.splitlines()) if e["event"] == "feed"}
    assert sim.state.requests["binance"] == asked  # the new process did not ask the banned host
    assert code == 1 and feeds["binance"]["status"] == "down"
    assert "not asking again before" in feeds["binance"]["reason"] and "retry in" in feeds["binance"]["reason"]
    assert feeds["kraken"]["status"] == "ok" and "desk sync: binance:" in err
    async with Register.open(settings.register.path, operator="check") as register:
        (block,) = await register.host_blocks(datetime.now(UTC))
    assert block.kind == "ban" and block.host == sim.urls["binance"]


async def test_status_lists_every_configured_feed_the_stream_included(
    config: Path, settings: DeskSettings, sim: SimCluster
) -> None:
    code, _, _ = await run_desk(config, "sync", "--once")
    assert code == 0
    code, out, _ = await run_desk(config, "status")
    assert code == 0
    lines = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 3}
    for feed in ("braiins", "f2main", "foundry", "ocean", "binance", "kraken", "coinbase", "nbk"):
        assert " ok " in lines[feed], lines.get(feed)
    assert "stream" in lines["binance_ws"] and "not synced yet" in lines["binance_ws"]


INJECTED_BUG = """
import sys
from desk.register import Register
ingest = Register.ingest
async def buggy(self, batch):
    batch = list(batch)
    if any(e.source == "pool:ocean" for e in batch):
        raise RuntimeError("a bug in the register write")
    return await ingest(self, batch)
Register.ingest = buggy
from desk.cli import main
sys.exit(main(sys.argv[1:]))
"""


async def test_sync_once_never_ends_with_a_traceback(config: Path, settings: DeskSettings, sim: SimCluster) -> None:
    sim.faults.set("braiins", "zero_row")  # a quiet day: nothing to write, nothing wrong
    sim.faults.set("f2main", "fee_over")  # one payout refused, the rest written
    sim.faults.set("foundry", "garbled")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        INJECTED_BUG,
        "sync",
        "--once",
        env=desk_env(config),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = (text.decode() for text in await asyncio.wait_for(process.communicate(), 120))
    assert process.returncode == 1
    assert "Traceback" not in err and "Traceback" not in out, err
    reasons = dict(
        line.removeprefix("desk sync: ").split(": ", 1) for line in err.splitlines() if line.startswith("desk sync: ")
    )
    assert set(reasons) == {"f2main", "foundry", "ocean"}, err  # one line per failed feed, with why
    # the first payout of each chunk's answer has the fee over its amount: refused, each alone
    refused = r"\d+ of \d+ rows refused: f2pool transactions\[\d+\]\.payout_extra\.tip: .*"
    assert re.fullmatch(refused, reasons["f2main"])
    assert "not valid UTF-8" in reasons["foundry"]
    assert "unexpected error while it wrote to the register: RuntimeError" in reasons["ocean"]
    events = [json.loads(line) for line in out.splitlines()]
    (crash,) = [e for e in events if e["event"] == "feed_crashed"]
    assert crash["feed"] == "ocean" and crash["traceback_id"] in reasons["ocean"]
    log = settings.register.path.with_name(settings.register.path.name + ".crashes.log").read_text()
    assert f"traceback {crash['traceback_id']}" in log and "RuntimeError: a bug in the register write" in log
    feeds = {e["feed"]: e for e in events if e["event"] == "feed"}
    assert feeds["braiins"]["status"] == "ok" and feeds["kraken"]["status"] == "ok"
    assert verify_file(settings.register.path).ok


async def test_refused_rows_are_listed_and_acknowledged_from_the_command_line(
    config: Path, settings: DeskSettings
) -> None:
    from desk.register import NewRefusal

    reason = "braiins payouts.onchain[0].fee_sats: 4276541 sats is more than the payout's 4276540 sats"
    async with Register.open(settings.register.path, operator="sync-bot") as register:
        (row,) = await register.record_refusals(
            "braiins",
            [NewRefusal("payout:1", "payout", NOW.date(), "braiins payouts.onchain[0]", reason)],
            NOW.date(),
            NOW.date(),
        )
    code, out, _ = await run_desk(config, "feeds", "refused", "--json")
    assert code == 1 and json.loads(out)["reason"] == reason and json.loads(out)["state"] == "open"
    code, out, _ = await run_desk(config, "feeds", "acknowledge", str(row.id), "--note", "display error at the pool")
    assert code == 0 and f"refused row {row.id} acknowledged" in out
    code, _, err = await run_desk(config, "feeds", "acknowledge", str(row.id))
    assert code == 4 and "already acknowledged" in err
    code, out, _ = await run_desk(config, "feeds", "refused", "--all", "--json")
    assert code == 0 and json.loads(out)["note"] == "display error at the pool"
    assert verify_file(settings.register.path).ok
