"""`desk sync` prints each alert notice as one JSON line, beside the feed events."""

from __future__ import annotations

import json
from pathlib import Path

from desk.config import load_settings
from desk.register import Register
from desk.sim import SimCluster
from tests.builders import run_desk, sim_fixture
from tests.sync.conftest import write_config

ALERTS = """
[[alerts]]
name = "feeds-down"
kind = "feed"
states = ["down"]
[[alerts]]
name = "btc-above-1"
kind = "price"
asset = "BTC"
above = "1"
"""


sim = sim_fixture(days=3)


async def test_sync_once_prints_alerts_as_json_lines(tmp_path: Path, sim: SimCluster) -> None:
    config = write_config(
        tmp_path / "desk.toml", tmp_path / "register.sqlite", sim.settings_overrides(), backfill_days=2
    )
    config.write_text(config.read_text() + ALERTS)
    settings = load_settings(config, env={})
    async with Register.open(settings.register.path, operator="admin", create=True) as register:
        await register.init_accounts(settings)
    sim.faults.set("foundry", "403")
    code, out, err = await run_desk(config, "sync", "--once")
    assert code == 1, err  # a feed failed; the alerts still went out
    events = [json.loads(line) for line in out.splitlines()]
    alerts = [e for e in events if e["event"] == "alert"]
    assert {"feeds-down", "btc-above-1"} <= {a["rule"] for a in alerts}
    down = [a for a in alerts if a["rule"] == "feeds-down"]
    assert [a["subject"] for a in down] == ["feed foundry"]  # once: debounced over the round's later checks
    assert "credentials refused" in down[0]["message"] and down[0]["level"] == "warning"
    assert sum(1 for a in alerts if a["rule"] == "btc-above-1") == 1  # a crossing, said once
    assert all(set(a) == {"event", "rule", "subject", "message", "level", "at"} for a in alerts)
