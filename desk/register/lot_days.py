"""The register's side of FIFO lots, by day: the `lot_days` table and the sums read from it.

Per account, asset, source, cost known or not, and UTC day, the net units and cost that came
in, so the cost basis at the end of any day is a sum of days (like balances). lots.py keeps
the residences and the marks and re-exports what desk/valuation/fifo.py reads from here.
"""

from __future__ import annotations

import decimal
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from desk.money import MONEY_CONTEXT
from desk.register.pages import Key
from desk.register.units import from_db, to_db

if TYPE_CHECKING:
    from desk.register.register import Register

#: (account, asset, source, cost known, UTC day): a `lot_days` row's key
DayKey = tuple[str, str, str, bool, str]
#: (account, asset, source, cost known): what day sums are summed over
SumKey = tuple[str, str, str, bool]


class Sums(NamedTuple):
    units: int
    cost_usd: Decimal
    cost_kzt: Decimal


def account_paths(register: Register) -> dict[int, str]:
    return {i: p for p, i in register._account_ids.items()}


async def day_sums(register: Register, prefix: str, *, before_day: str | None = None) -> dict[SumKey, Sums]:
    """Net units and cost per (account, asset, source, cost known) that came into accounts under
    `prefix`, over every day (or the days before `before_day`, YYYY-MM-DD)."""
    paths = account_paths(register)
    ids = [i for p, i in register._account_ids.items() if p.startswith(prefix)]
    if not ids:
        return {}
    sql = (
        "SELECT account_id, asset, source, cost_known, units, cost_usd, cost_kzt FROM lot_days "
        f"WHERE account_id IN ({','.join('?' * len(ids))})"
    )
    params: list[Any] = list(ids)
    if before_day is not None:
        sql += " AND day < ?"
        params.append(before_day)
    return summed(
        ((paths[r[0]], r[1], r[2], bool(r[3])), from_db(r[4]), Decimal(r[5]), Decimal(r[6]))
        for r in await register._all(sql, params)
    )


async def days(register: Register) -> dict[DayKey, Sums]:
    """Every `lot_days` row: what `check` compares with a replay from scratch."""
    paths = account_paths(register)
    rows = await register._all(
        "SELECT account_id, asset, source, cost_known, day, units, cost_usd, cost_kzt FROM lot_days"
    )
    return {
        (paths[r[0]], r[1], r[2], bool(r[3]), r[4]): Sums(from_db(r[5]), Decimal(r[6]), Decimal(r[7])) for r in rows
    }


async def step_sums(register: Register, prefix: str, *, since: str, through: Key) -> dict[SumKey, Sums]:
    """Net units and cost that came into accounts under `prefix` by the entries with a time at
    or after `since` (register text) and a key up to `through`: what a day holds so far."""
    changes = await step_changes(register, since=since, before=None, through=through)
    return summed(change for change in changes if change[0][0].startswith(prefix))


async def step_changes(
    register: Register, *, since: str, before: Key | None, through: Key | None
) -> list[tuple[SumKey, int, Decimal, Decimal]]:
    """(key, units, usd, kzt) of every residence placed (+) or taken (-) by the entries with a
    time at or after `since` and a key before `before` (or up to `through`)."""
    paths = account_paths(register)
    if before is not None:
        bound, params = "(e.ts < ?2 OR (e.ts = ?2 AND e.seq < ?3))", (since, *before)
    else:
        assert through is not None
        bound, params = "(e.ts < ?2 OR (e.ts = ?2 AND e.seq <= ?3))", (since, *through)
    changes: list[tuple[SumKey, int, Decimal, Decimal]] = []
    for column, sign in (("placed_seq", 1), ("taken_seq", -1)):
        rows = await register._all(
            "SELECT l.account_id, l.asset, l.source, l.cost_usd IS NOT NULL AND l.cost_kzt IS NOT NULL, l.units, "
            f"l.cost_usd, l.cost_kzt FROM entries e INDEXED BY entries_ts JOIN lots l ON l.{column} = e.seq "
            f"WHERE e.ts >= ?1 AND {bound}",
            params,
        )
        for r in rows:
            known = bool(r[3])
            usd = Decimal(r[5]) if known else Decimal(0)
            kzt = Decimal(r[6]) if known else Decimal(0)
            changes.append(((paths[r[0]], r[1], r[2], known), sign * from_db(r[4]), sign * usd, sign * kzt))
    return changes


def summed(items: Iterable[tuple[SumKey, int, Decimal, Decimal]]) -> dict[SumKey, Sums]:
    units: dict[SumKey, int] = defaultdict(int)
    usd: dict[SumKey, list[Decimal]] = defaultdict(list)
    kzt: dict[SumKey, list[Decimal]] = defaultdict(list)
    for key, u, cost_usd, cost_kzt in items:
        units[key] += u
        usd[key].append(cost_usd)
        kzt[key].append(cost_kzt)
    with decimal.localcontext(MONEY_CONTEXT):
        return {key: Sums(units[key], sum(usd[key], Decimal(0)), sum(kzt[key], Decimal(0))) for key in units}


async def add_days(register: Register, days: Mapping[DayKey, Sums]) -> None:
    """Add to `lot_days` (read, add in Python, write back: SQL would sum text through float)."""
    ids = register._account_ids
    rows = []
    for key, sums in days.items():
        account, asset, source, known, day = key
        params = (ids[account], asset, source, int(known), day)
        old = await register._one(
            "SELECT units, cost_usd, cost_kzt FROM lot_days WHERE account_id = ? AND asset = ? AND source = ? "
            "AND cost_known = ? AND day = ?",
            params,
        )
        units, usd, kzt = sums
        if old is not None:
            with decimal.localcontext(MONEY_CONTEXT):
                units, usd, kzt = units + from_db(old[0]), usd + Decimal(old[1]), kzt + Decimal(old[2])
        rows.append((*params, to_db(units), str(usd), str(kzt)))
    await register._db.executemany(
        "INSERT OR REPLACE INTO lot_days (account_id, asset, source, cost_known, day, units, cost_usd, cost_kzt) "
        "VALUES (?,?,?,?,?,?,?,?)",
        rows,
    )
