"""`desk report --reconcile` over the simulated pools and chain: the section holds the run."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import aiohttp

from desk.cli import main
from desk.register import Register
from desk.sim import SimCluster
from desk.sync import SyncEngine
from tests.builders import NOW, quick_client, sim_desk, sim_fixture
from tests.reconcile.conftest import cli_config

sim = sim_fixture(days=10)


async def test_report_with_a_reconciliation_of_the_month(tmp_path: Path, sim: SimCluster) -> None:
    settings = await sim_desk(sim, tmp_path / "r.sqlite", sync={"backfill_days": 30})
    async with aiohttp.ClientSession() as session:
        http = quick_client(session)
        async with Register.open(settings.register.path, operator="sync-bot") as register:
            assert not (await SyncEngine(settings, register, http).run_once()).failed
    config = cli_config(tmp_path, sim, settings)
    out = tmp_path / "report.csv"
    argv = [
        "report",
        "--config",
        str(config),
        "--month",
        "2026-11",
        "--format",
        "csv",
        "--out",
        str(out),
        "--reconcile",
        "--as-of",
        NOW.isoformat(),
    ]
    assert await asyncio.to_thread(main, argv) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    recon = [r for r in rows if r["section"] == "reconciliation"]
    assert not [r for r in recon if r["record"] == "unavailable"]
    table: dict[str, dict[str, str]] = {}
    for r in recon:
        if r["record"] == "cell":
            table.setdefault(r["row"], {})[r["column"]] = r["value"]
    summaries = {row["scope"]: row["detail"] for row in table.values() if row["state"] == "summary"}
    # every pool day matches the register; Braiins is off here, so its payouts land at the
    # wallet as receipts no enabled pool paid: open breaks, listed to the satoshi
    assert summaries["f2main"] == summaries["foundry"] == summaries["ocean"] == "clean 24"
    assert summaries["wallet:ops"].startswith("open ")
    assert any(row["kind"] == "non_revenue_receipt" and row["state"] == "open" for row in table.values())
    head = next(r["value"] for r in recon if r["record"] == "note")
    assert head.startswith("Pools vs register vs chain, 2026-11-01 to 2026-11-24")
