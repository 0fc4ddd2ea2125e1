"""The three sides, gathered: what each pool reports (live, through the same clients the
sync uses), what the register holds on the pool's accounts, and what the chain shows at our
addresses. Only reading happens here; `engine.py` compares.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Protocol

from desk.config import DeskSettings
from desk.feeds.chains.records import ChainReceipt
from desk.feeds.errors import FeedError
from desk.feeds.factory import POOLS
from desk.feeds.feed import Feed
from desk.feeds.http import HttpClient
from desk.money import Amount
from desk.reconcile.sides import PoolSide, RegisterRow, day_start
from desk.register import Register


class ReceiptSource(Protocol):
    """What reconciliation needs of a chain client (EsploraClient has it)."""

    async def receipts(self, address: str, since: datetime | None = None) -> list[ChainReceipt]: ...


async def fetch_pool(name: str, settings: DeskSettings, http: HttpClient, since: date, until: date) -> PoolSide:
    """The pool's earnings and payouts between `since` and `until`, inclusive; a failure is
    recorded in `error` (and the rest of the reconciliation goes on)."""
    pool = settings.pools[name]
    feed = Feed(POOLS[pool.kind](name, pool, http), stale_after=timedelta(days=1))
    result = await feed.poll(since, until)
    if not result.ok:
        reason = result.error.reason if result.error is not None else "unknown error"
        return PoolSide(name, pool.kind, pool.pays_into, error=reason)
    return PoolSide(name, pool.kind, pool.pays_into, tuple(result.earnings), tuple(result.payouts))


async def register_rows(
    register: Register, pools: Sequence[str], since: date, until: date
) -> dict[str, list[RegisterRow]]:
    """Per pool, every entry on its income or balance account posted in [since, until], in
    (time, seq) order, with the BTC it books as the pool's income and what it adds to the
    pool's balance: read in one pass over the window's postings to those accounts
    (Register.moves), not entry by entry."""
    btc = register.asset("BTC")
    accounts = {pool: (f"income:mining:{pool}", f"assets:pool:{pool}") for pool in pools}
    owner = {account: pool for pool, pair in accounts.items() for account in pair}
    rows: dict[str, list[RegisterRow]] = {pool: [] for pool in pools}
    for move in await register.moves(list(owner), day_start(since), day_start(until + timedelta(days=1))):
        units = move.units
        # nearly every entry touches one pool; only a rare one (a move between pools) touches two
        touched = {owner[account] for account, _ in units} if len(units) > 1 else (owner[next(iter(units))[0]],)
        for pool in sorted(touched):
            income, balance = accounts[pool]
            rows[pool].append(
                RegisterRow(
                    move.seq,
                    move.ts,
                    move.kind,
                    move.memo,
                    move.source,
                    move.external_id,
                    move.reference,
                    -units.get((income, btc.code), 0),
                    units.get((balance, btc.code), 0),
                    btc,
                )
            )
    return rows


async def pool_balances(register: Register, pool: str, days: Sequence[date]) -> dict[date, Amount]:
    """The register's balance of `assets:pool:<pool>` at the end of each day."""
    account = f"assets:pool:{pool}"
    if account not in register.accounts():
        return {day: Amount.zero(register.asset("BTC")) for day in days}
    return {day: await register.balance(account, "BTC", at=day) for day in days}


async def last_syncs(register: Register) -> dict[str, datetime | None]:
    """When each feed last synced successfully: a record credited after that is timing."""
    return {feed: state["last_ok"] for feed, state in (await register.sync_state()).items()}


async def fetch_receipts(
    client: ReceiptSource, addresses: Sequence[str], since: datetime
) -> tuple[dict[str, list[ChainReceipt]], str | None]:
    """Receipts at each address since `since`; the first failure's reason, if any (then the
    chain side is left out rather than half-read)."""
    try:
        found = await asyncio.gather(*(client.receipts(address, since) for address in addresses))
    except FeedError as exc:
        return {}, exc.reason
    return dict(zip(addresses, found, strict=True)), None
