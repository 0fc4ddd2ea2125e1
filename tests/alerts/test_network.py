"""The hashprice and reconciliation rules over the simulated pools and chain, judged inside
a real sync round (the engine's own HTTP client), with a fixed clock."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import aiohttp

from desk.alerts.engine import Notice
from desk.register import Register
from desk.sim import SimCluster
from desk.sync import SyncEngine
from desk.sync.alerting import alerting
from tests.builders import NOW, quick_client, sim_desk, sim_fixture

DAY = (NOW - timedelta(days=2)).date()


sim = sim_fixture(days=10)


async def test_hashprice_below_cost_and_an_open_break_are_told(tmp_path: Path, sim: SimCluster) -> None:
    alerts = [
        {"name": "below-cost", "kind": "hashprice", "hashcost": "1000000"},
        {"name": "breaks", "kind": "reconciliation"},
    ]
    settings = await sim_desk(
        sim, tmp_path / "register.sqlite", sync={"backfill_days": 8}, reconcile={"days": 3}, alerts=alerts
    )
    paid = next(p for p in sim.model.pools["f2main"].payouts if p.requested_at.date() == DAY)
    sim.chain.drop_tx(paid.tx_id)
    said: list[Notice] = []
    async with aiohttp.ClientSession() as session:
        http = quick_client(session)
        async with (
            Register.open(settings.register.path, operator="sync-bot") as register,
            alerting(settings, said.append) as alerts,
        ):
            engine = SyncEngine(settings, register, http)
            alerts.attach(register, engine)
            await engine.run_once()
    rules = {n.rule: n for n in said}
    assert set(rules) == {"below-cost", "breaks"}
    assert rules["below-cost"].message.startswith("hashprice ")
    assert "is below the hashcost 1000000" in rules["below-cost"].message
    breaks = [n for n in said if n.rule == "breaks"]
    assert any(f"f2main {DAY.isoformat()} missing_on_chain" in n.message for n in breaks)
    assert all(n.at == NOW for n in said)
