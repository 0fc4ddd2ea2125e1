"""What came into the reserve, day by day, and from where: mined, seized, purchased, or an
internal transfer, told from each entry's kind and its counter-accounts (the accounts the
money left).

An opening balance is tagged `opening`, and anything the rules do not recognise `other`,
rather than being forced into a tag it may not deserve.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desk.config import DeskSettings
from desk.money import Amount
from desk.register import Entry, PageFilter, Register
from desk.reserves.proof import RESERVE_PREFIX

TAGS = ("mined", "seized", "purchased", "internal transfer", "opening", "other")


@dataclass(frozen=True, slots=True)
class Inflow:
    day: date
    account: str
    amount: Amount
    tag: str
    seq: int


def inflow_tag(entry: Entry, revenue_wallets: set[str]) -> str:
    """The tag of an entry that credits a reserve account; `revenue_wallets` are the wallet
    accounts pools pay into (what is swept from them was mined)."""
    counters = [p.account for p in entry.postings if p.amount.value < 0]
    if entry.kind == "seizure" or any(a.startswith("income:seized:") for a in counters):
        return "seized"
    if entry.kind in ("purchase", "conversion") or any(a.startswith("assets:exchange:") for a in counters):
        return "purchased"
    if entry.kind == "opening" or "equity:opening" in counters:
        return "opening"
    if any(a.startswith(("income:mining:", "assets:pool:")) or a in revenue_wallets for a in counters):
        return "mined"
    if any(a.startswith((RESERVE_PREFIX, "assets:wallet:")) for a in counters):
        return "internal transfer"
    return "other"


async def reserve_inflows(settings: DeskSettings, register: Register) -> list[Inflow]:
    """Every credit to an assets:reserve:* account, oldest first."""
    revenue_wallets = {f"assets:wallet:{pool.pays_into}" for pool in settings.pools.values()}
    result: list[Inflow] = []
    for account in (a for a in register.accounts() if a.startswith(RESERVE_PREFIX)):
        async for entry in register.walk(PageFilter(account=account)):
            tag = inflow_tag(entry, revenue_wallets)
            for posting in entry.postings:
                if posting.account == account and posting.amount.value > 0:
                    result.append(Inflow(entry.ts.date(), account, posting.amount, tag, entry.seq))
    return sorted(result, key=lambda i: (i.day, i.seq))


def daily_totals(inflows: list[Inflow]) -> list[tuple[date, str, str, Amount]]:
    """(day, asset, tag, total) per day, asset and tag, in order."""
    totals: dict[tuple[date, str, str], Amount] = {}
    for inflow in inflows:
        key = (inflow.day, inflow.amount.asset.code, inflow.tag)
        totals[key] = totals[key] + inflow.amount if key in totals else inflow.amount
    return [(day, asset, tag, amount) for (day, asset, tag), amount in sorted(totals.items(), key=_order)]


def _order(item: tuple[tuple[date, str, str], Amount]) -> tuple[date, str, int]:
    (day, asset, tag), _ = item
    return day, asset, TAGS.index(tag)
