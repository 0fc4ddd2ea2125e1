"""Starting the simulated sources: one aiohttp.web server per source on its own loopback
port (so a ban of one host is a ban of that host only), and the configuration that points
desk at them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aiohttp import web

from desk.sim import braiins, bsc, custody, esplora, exchanges, f2pool, foundry, nbk, ocean, server_time, solana
from desk.sim.chain import ChainSim
from desk.sim.chain import admin_routes as chain_routes
from desk.sim.custody import Custodian
from desk.sim.faults import FAULT_KEY, FAULTS, admin_routes, middleware
from desk.sim.ledger import CHAINS
from desk.sim.model import MiningModel
from desk.sim.state import STATE_KEY, TOKEN, SimState

OCEAN_USER = "bc1qdesksimoceanpayout0000000000000000000000"
#: The demo's exchange account (assets:exchange:aix), marked AIFC-licensed for sell-through.
DEMO_VENUE = "aix"


class Faults:
    """Switch a source into a fault and back: `sim.faults.set("binance", "418")`."""

    def __init__(self, state: SimState) -> None:
        self._state = state

    def set(self, source: str, fault: str) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; one of {', '.join(FAULTS)}")
        self._state.faults[source] = fault

    def clear(self, source: str | None = None) -> None:
        if source is None:
            self._state.faults.clear()
        else:
            self._state.faults.pop(source, None)


class SimCluster:
    """`async with SimCluster(seed=7) as sim:` runs every source until the block ends."""

    def __init__(
        self,
        *,
        seed: int = 7,
        now: datetime | None = None,
        days: int = 30,
        hashrate_phs: int = 400,
        payouts_per_day: int = 1,
        threshold_sats: int = 1_000_000,
        latency_s: float = 0.0,
        port: int = 0,
        custody_delay_s: float = 2.0,  # float-ok: seconds
        mine_every_s: float | None = None,  # float-ok: seconds
    ) -> None:
        anchor = now or datetime.now(UTC)
        start = anchor.date() - timedelta(days=days)
        # the model runs a week past `now` so a live demo keeps earning as time passes
        self.model = MiningModel(
            seed=seed,
            start=start,
            days=days + 7,
            hashrate_phs=hashrate_phs,
            payouts_per_day=payouts_per_day,
            threshold_sats=threshold_sats,
        )
        self.state = SimState(self.model, fixed_now=now, latency_s=latency_s)
        self.faults = Faults(self.state)
        #: the three chains and their test hooks (drop, shorten, redirect, add a receipt, set a balance)
        self.chain = ChainSim(self.model, self.state)
        #: the custodian: broadcasts submitted transfers on `chain` after `custody_delay_s`
        self.custodian = Custodian(self.chain, delay_s=custody_delay_s)
        #: mine a block on every chain this often (the demo: confirmations in seconds, not
        #: hours); None: blocks come with the chains' clocks and `chain.mine` only
        self.mine_every_s = mine_every_s
        self._miner: asyncio.Task[None] | None = None
        self.urls: dict[str, str] = {}
        self._runners: list[web.AppRunner] = []
        self._port = port

    def now(self) -> datetime:
        return self.state.now()

    def advance(self, delta: timedelta) -> None:
        """Move the simulated clock (a fixed-time cluster only moves when told)."""
        self.state.offset += delta

    def _apps(self) -> dict[str, list[web.RouteDef]]:
        route_makers: dict[str, Callable[[], list[web.RouteDef]]] = {
            "braiins": lambda: braiins.routes("braiins"),
            "f2main": lambda: f2pool.routes("f2main"),
            "foundry": lambda: foundry.routes("foundry"),
            "ocean": lambda: ocean.routes("ocean", OCEAN_USER),
            "binance": lambda: exchanges.binance_routes() + server_time.binance_routes(),
            "kraken": lambda: exchanges.kraken_routes() + server_time.kraken_routes(),
            "coinbase": lambda: exchanges.coinbase_routes() + server_time.coinbase_routes(),
            "nbk": nbk.routes,
            "esplora": lambda: esplora.routes(self.chain) + chain_routes(self.chain),
            "bsc": lambda: bsc.routes(self.chain) + chain_routes(self.chain),
            "solana": lambda: solana.routes(self.chain) + chain_routes(self.chain),
            "custody": lambda: custody.routes(self.custodian),
        }
        return {name: make() for name, make in route_makers.items()}

    async def __aenter__(self) -> SimCluster:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        for index, (name, routes) in enumerate(self._apps().items()):
            app = web.Application(middlewares=[middleware(name, self.state)])
            app[STATE_KEY] = self.state
            app[FAULT_KEY] = self.state.faults
            app.add_routes(routes + admin_routes(name, self.state))
            runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
            await runner.setup()
            port = self._port + index if self._port else 0
            site = web.TCPSite(runner, "127.0.0.1", port)
            await site.start()
            bound = runner.addresses[0][1]
            self.urls[name] = f"http://127.0.0.1:{bound}"
            self._runners.append(runner)
        if self.mine_every_s:
            self._miner = asyncio.create_task(self._mine_forever(self.mine_every_s))

    async def _mine_forever(self, every_s: float) -> None:  # float-ok: seconds
        while True:
            await asyncio.sleep(every_s)
            for chain in CHAINS:
                self.chain.mine(chain)

    async def stop(self) -> None:
        if self._miner is not None:
            self._miner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._miner
            self._miner = None
        for runner in self._runners:
            await runner.cleanup()
        self._runners.clear()

    def settings_overrides(self) -> dict[str, Any]:
        """The `pools` and `prices.sources` tables that point desk at this cluster."""
        return {
            "pools": {
                "braiins": {"kind": "braiins", "base_url": self.urls["braiins"], "token": TOKEN},
                "f2main": {"kind": "f2pool", "base_url": self.urls["f2main"], "token": TOKEN, "user": "kz-sim-01"},
                "foundry": {"kind": "foundry", "base_url": self.urls["foundry"], "token": TOKEN, "user": "desk_sim"},
                "ocean": {"kind": "ocean", "base_url": self.urls["ocean"], "user": OCEAN_USER},
            },
            "prices": {
                "sources": {
                    "binance": {"kind": "binance", "base_url": self.urls["binance"], "symbols": ["BTCUSDT", "BNBUSDT"]},
                    "binance_ws": {
                        "kind": "binance_ws",
                        "base_url": self.urls["binance"].replace("http", "ws", 1),
                        "symbols": ["BTCUSDT", "BNBUSDT"],
                    },
                    "kraken": {"kind": "kraken", "base_url": self.urls["kraken"], "symbols": ["XBTUSD"]},
                    "coinbase": {"kind": "coinbase", "base_url": self.urls["coinbase"], "symbols": ["BTC-USD"]},
                    "nbk": {"kind": "nbk", "base_url": self.urls["nbk"], "symbols": ["USD"]},
                }
            },
            "chains": {
                "esplora": {"base_url": self.urls["esplora"]},
                "bsc": {"rpc_url": self.urls["bsc"]},
                "solana": {"rpc_url": self.urls["solana"], "kzte_mint": esplora.SIM_KZTE_MINT},
            },
            "addresses": esplora.demo_addresses(),
            "custody": {"url": self.urls["custody"], "token": TOKEN},
            # the demo's exchange account, AIFC-licensed, so sell-through has an eligible venue
            "accounts": {"exchanges": [DEMO_VENUE]},
            "venues": {DEMO_VENUE: {"eligible": True}},
        }

    def truth(self, pool: str) -> tuple[int, int]:
        """(earned sats, paid sats) the pool has reported as of the simulated now."""
        return self.model.totals(pool, self.now())

    def first_day(self) -> date:
        return self.model.start
