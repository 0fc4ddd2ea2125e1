"""What came into the reserve, day by day, and of which kind (mined, seized, purchased, an
internal transfer, an opening balance, other: desk.inflow_kinds tells them apart)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desk.config import DeskSettings
from desk.inflow_kinds import KINDS, inflow_kind
from desk.money import Amount
from desk.proof.proof import RESERVE_PREFIX
from desk.register import PageFilter, Register


@dataclass(frozen=True, slots=True)
class Inflow:
    day: date
    account: str
    amount: Amount
    kind: str
    seq: int


async def reserve_inflows(settings: DeskSettings, register: Register) -> list[Inflow]:
    """Every credit to an assets:reserve:* account, oldest first."""
    revenue_wallets = {f"assets:wallet:{pool.pays_into}" for pool in settings.pools.values()}
    result: list[Inflow] = []
    for account in (a for a in register.accounts() if a.startswith(RESERVE_PREFIX)):
        async for entry in register.walk(PageFilter(account=account)):
            kind = inflow_kind(entry, revenue_wallets)
            for posting in entry.postings:
                if posting.account == account and posting.amount.value > 0:
                    result.append(Inflow(entry.ts.date(), account, posting.amount, kind, entry.seq))
    return sorted(result, key=lambda i: (i.day, i.seq))


def daily_totals(inflows: list[Inflow]) -> list[tuple[date, str, str, Amount]]:
    """(day, asset, kind, total) per day, asset and kind, in order."""
    totals: dict[tuple[date, str, str], Amount] = {}
    for inflow in inflows:
        key = (inflow.day, inflow.amount.asset.code, inflow.kind)
        totals[key] = totals[key] + inflow.amount if key in totals else inflow.amount
    return [(day, asset, kind, amount) for (day, asset, kind), amount in sorted(totals.items(), key=_order)]


def _order(item: tuple[tuple[date, str, str], Amount]) -> tuple[date, str, int]:
    (day, asset, kind), _ = item
    return day, asset, KINDS.index(kind)
