"""The sync engine values what each round wrote: every earning it ingests gets a valuation."""

from __future__ import annotations

from desk.register import PageFilter
from desk.register import valuations as store
from tests.builders import sync_engine
from tests.sync.conftest import config, sim  # noqa: F401  (fixtures)
from tests.sync.conftest import settings as sync_settings  # noqa: F401  (fixture)


async def test_a_sync_round_values_every_new_inflow(sync_settings) -> None:  # noqa: F811
    async with sync_engine(sync_settings) as engine:
        await engine.run_once()
        register = engine.register
        earnings = [e async for e in register.walk(PageFilter(kind="earning"))]
        current = await store.current(register)
        assert earnings and {(e.seq, "BTC") for e in earnings} == set(current)
        # the sync backfills the price history with the pools (tests/sync/test_price_history.py)
        assert {v.state for v in current.values()} == {"valued"}
        assert all(v.usd is not None and v.kzt is not None for v in current.values())
        assert await store.valued_through(register) == (await register.head())[0]
        assert (await register.verify()).ok
