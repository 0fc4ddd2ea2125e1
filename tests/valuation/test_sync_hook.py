"""The sync engine values what each round wrote: every earning it ingests gets a valuation."""

from __future__ import annotations

import aiohttp

from desk.feeds.clock import FakeClock
from desk.feeds.http import HttpClient, RetryPolicy
from desk.register import PageFilter, Register
from desk.register import valuations as store
from desk.sync import SyncEngine
from tests.builders import NOW
from tests.sync.conftest import config, sim  # noqa: F401  (fixtures)
from tests.sync.conftest import settings as sync_settings  # noqa: F401  (fixture)


async def test_a_sync_round_values_every_new_inflow(sync_settings) -> None:  # noqa: F811
    async with (
        Register.open(sync_settings.register.path, operator="sync-bot") as register,
        aiohttp.ClientSession() as session,
    ):
        http = HttpClient(
            session,
            clock=FakeClock(NOW),
            pacing=False,
            policy=RetryPolicy(attempts=2, base_delay_s=0.01, timeout_s=0.5),
        )
        await SyncEngine(sync_settings, register, http, chunk_days=7).run_once()
        earnings = [e async for e in register.walk(PageFilter(kind="earning"))]
        current = await store.current(register)
        assert earnings and {(e.seq, "BTC") for e in earnings} == set(current)
        # the sync backfills the price history with the pools (tests/sync/test_price_history.py)
        assert {v.state for v in current.values()} == {"valued"}
        assert all(v.usd is not None and v.kzt is not None for v in current.values())
        assert await store.valued_through(register) == (await register.head())[0]
        assert (await register.verify()).ok
