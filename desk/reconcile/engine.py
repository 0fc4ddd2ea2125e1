"""Three-way reconciliation, gathered: each pool's own records (live, through the sync's
clients), the register's entries on the pool's accounts, and the chain's receipts at the
wallet each pool pays into, read for a window and handed to `comparison.compare`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from desk.config import DeskSettings
from desk.feeds.chains.esplora import esplora_client
from desk.feeds.chains.records import ChainReceipt
from desk.feeds.http import HttpClient
from desk.money import BTC, Amount
from desk.reconcile import resolutions
from desk.reconcile.comparison import Facts, compare, days_between
from desk.reconcile.report import Report
from desk.reconcile.sources import (
    ReceiptSource,
    fetch_pool,
    fetch_receipts,
    last_syncs,
    pool_balances,
    register_rows,
)
from desk.register import PageFilter, Register

#: Days read beyond each end of the window, so that a record whose counterpart falls just
#: outside (credited after midnight, confirmed the next day) is still matched.
MARGIN = timedelta(days=2)


def wallet_addresses(settings: DeskSettings) -> dict[str, list[str]]:
    """The bitcoin addresses of each wallet pools pay into (`[[addresses]]` with account
    assets:wallet:<name>)."""
    wallets = {pool.pays_into for pool in settings.pools.values() if pool.enabled}
    return {
        wallet: [
            a.address for a in settings.addresses if a.chain == "bitcoin" and a.account == f"assets:wallet:{wallet}"
        ]
        for wallet in sorted(wallets)
    }


def chain_for(settings: DeskSettings, http: HttpClient) -> ReceiptSource | None:
    """The Esplora client when desk watches any bitcoin address; None otherwise."""
    if any(a.chain == "bitcoin" for a in settings.addresses):
        return esplora_client(settings, http)
    return None


def thresholds_of(settings: DeskSettings) -> dict[str, Amount]:
    return {name: Amount(BTC, Decimal(settings.reconcile.threshold(name))) for name in settings.pools}


async def _known_refs(
    register: Register,
    receipts: Mapping[str, Sequence[ChainReceipt]],
    payout_txids: set[str],
    wallets: Mapping[str, Sequence[str]],
) -> frozenset[str]:
    """Tx ids of receipts at revenue addresses that are not pool payouts but that the
    register already records (a transfer in, a deposit): those are not breaks."""
    revenue = {a for addresses in wallets.values() for a in addresses}
    candidates = {r.txid for a in revenue for r in receipts.get(a, ()) if r.txid not in payout_txids}
    known = set()
    for txid in sorted(candidates):
        if await register.first(PageFilter(text=txid)) is not None:
            known.add(txid)
    return frozenset(known)


async def reconcile(
    settings: DeskSettings,
    register: Register,
    http: HttpClient,
    *,
    since: date,
    until: date,
    pools: Sequence[str] | None = None,
    chain: ReceiptSource | None = None,
    now: datetime | None = None,
) -> Report:
    """Read the pools (live), the register and the chain for [since, until] and compare.

    Every enabled pool is read even when `pools` narrows the report, so that a receipt is
    matched against every payout into its wallet. Without `chain`, the on-chain side is
    left out (and the report says so)."""
    if since > until:
        raise ValueError(f"--from {since} is after --to {until}")
    unknown = sorted(set(pools or ()) - set(settings.pools))
    if unknown:
        raise ValueError(f"no pool named {', '.join(unknown)}; configured: {', '.join(sorted(settings.pools))}")
    now = now or http.clock.now()
    first, last = since - MARGIN, until + MARGIN
    enabled = [name for name, pool in settings.pools.items() if pool.enabled]
    synced = await last_syncs(register)
    # the pools answer while the register is read: the wait on them costs no extra time
    fetching = asyncio.gather(*(fetch_pool(name, settings, http, first, last) for name in enabled))
    try:
        rows = await register_rows(register, enabled, first, last)
    except BaseException:
        fetching.cancel()
        raise
    fetched = await fetching
    sides = [replace(side, last_sync=synced.get(side.name)) for side in fetched]
    problems = [f"pool {s.name}: {s.error} (its days are not reconciled)" for s in sides if s.error]
    report_days = days_between(since, until)
    balances = {name: await pool_balances(register, name, report_days) for name in enabled}
    wallets = wallet_addresses(settings)
    receipts: dict[str, list[ChainReceipt]] | None = None
    known: frozenset[str] = frozenset()
    if chain is not None:
        addresses = sorted({a.address for a in settings.addresses if a.chain == "bitcoin"})
        read, error = await fetch_receipts(chain, addresses, datetime.combine(first, time(0), tzinfo=UTC))
        if error:
            problems.append(f"chain: {error} (payouts are not checked on chain)")
        else:
            receipts = read
            payout_txids = {p.tx_id for s in sides for p in s.payouts if p.tx_id}
            known = await _known_refs(register, receipts, payout_txids, wallets)
    else:
        problems.append("chain: no Esplora configured or reachable; payouts are not checked on chain")
    facts = Facts(
        since=since,
        until=until,
        now=now,
        window=timedelta(hours=settings.reconcile.timing_hours),
        pools=sides,
        rows=rows,
        balances=balances,
        thresholds=thresholds_of(settings),
        wallets=wallets,
        receipts=receipts,
        known_refs=known,
        resolutions=await resolutions.resolved(register),
        report_pools=frozenset(pools) if pools else None,
    )
    return compare(facts, problems)
