"""Reading entries and balances back: by seq, by page, as of a date, per day or hour.

Balances now are maintained (the `balances` table); as of a date they are the per-day sums
before that day plus that day's postings, so the cost does not grow with the register.
Functions here take the Register and are reached through its thin public methods (walk.py
and pages.py hold the keyset pages).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from desk.money import Amount
from desk.register.canonical import GENESIS, details_from_text
from desk.register.entries import Entry, Posting, format_ts, parse_ts
from desk.register.errors import NotFound
from desk.register.pages import ENTRY_COLUMNS, ENTRY_JOINS
from desk.register.units import from_db

if TYPE_CHECKING:
    from desk.register.register import Register


async def count(register: Register) -> int:
    row = await register._one("SELECT value FROM meta WHERE key = 'entry_count'")
    return int(row[0]) if row else 0


async def head(register: Register) -> tuple[int, str]:
    row = await register._one("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1")
    return (row[0], row[1]) if row else (0, GENESIS)


async def balance(register: Register, account: str, asset: str, at: date | datetime | None) -> Amount:
    the_asset = register.asset(asset)
    account_id = register._account_ids.get(account)
    if account_id is None:
        raise NotFound(f"no account {account}")
    if at is None:
        row = await register._one("SELECT units FROM balances WHERE account_id = ? AND asset = ?", (account_id, asset))
        return Amount.from_units(the_asset, from_db(row[0]) if row else 0)
    return Amount.from_units(the_asset, await _units_at(register, account_id, asset, at))


async def _units_at(register: Register, account_id: int, asset: str, at: date | datetime) -> int:
    if not isinstance(at, datetime):
        at = datetime.combine(at, time(0), tzinfo=UTC) + timedelta(days=1)
    cut = format_ts(at)
    day = cut[:10]
    total = sum(
        from_db(u)
        for (u,) in await register._all(
            "SELECT units FROM daily WHERE account_id = ? AND asset = ? AND day < ?", (account_id, asset, day)
        )
    )
    total += sum(
        from_db(u)
        for (u,) in await register._all(
            "SELECT units FROM postings WHERE account_id = ? AND asset = ? AND ts >= ? AND ts < ?",
            (account_id, asset, day + "T00:00:00.000000Z", cut),
        )
    )
    return total


async def balances(register: Register, at: date | datetime | None) -> dict[tuple[str, str], Amount]:
    paths = {i: p for p, i in register._account_ids.items()}
    result: dict[tuple[str, str], Amount] = {}
    if at is None:
        for account_id, asset, units in await register._all("SELECT account_id, asset, units FROM balances"):
            if from_db(units):
                result[(paths[account_id], asset)] = Amount.from_units(register.asset(asset), from_db(units))
    else:
        for account_id, asset in await register._all("SELECT DISTINCT account_id, asset FROM daily"):
            units = await _units_at(register, account_id, asset, at)
            if units:
                result[(paths[account_id], asset)] = Amount.from_units(register.asset(asset), units)
    return dict(sorted(result.items()))


async def entries(register: Register, seqs: list[int], *, with_amendments: bool = False) -> list[Entry]:
    """The entries of `seqs`, in that order (a seq not posted is left out)."""
    if not seqs:
        return []
    marks = ",".join("?" * len(seqs))
    rows = {
        r[0]: r
        for r in await register._all(
            f"SELECT {ENTRY_COLUMNS} FROM entries e {ENTRY_JOINS} WHERE e.seq IN ({marks})", seqs
        )
    }
    return await built(register, [rows[seq] for seq in seqs if seq in rows], with_amendments=with_amendments)


async def built(register: Register, rows: list[tuple], *, with_amendments: bool = False) -> list[Entry]:
    """Entries from their rows (ENTRY_COLUMNS), in the rows' order, with their postings."""
    if not rows:
        return []
    seqs = [r[0] for r in rows]
    marks = ",".join("?" * len(seqs))
    paths = {i: p for p, i in register._account_ids.items()}
    assets, units_of = register._asset_objects, Amount.from_units
    postings: dict[int, list[Posting]] = {seq: [] for seq in seqs}
    for seq, account_id, asset, units in await register._all(
        f"SELECT entry_seq, account_id, asset, units FROM postings WHERE entry_seq IN ({marks}) "
        "ORDER BY entry_seq, idx",
        seqs,
    ):
        postings[seq].append(Posting(paths[account_id], units_of(assets[asset], from_db(units))))
    amendments: dict[int, tuple] = {}
    if with_amendments:
        for seq, ts, operator, detail in await register._all(
            "SELECT entry_seq, ts, operator, detail FROM actions "
            f"WHERE action = 'amend' AND entry_seq IN ({marks}) ORDER BY seq",
            seqs,
        ):
            after = json.loads(detail)["after"]
            amendments[seq] = (*amendments.get(seq, ()), {"ts": ts, "by": operator, **after})
    return [
        Entry(
            seq=r[0],
            ts=parse_ts(r[1]),
            kind=r[2],
            memo=r[3],
            reference=r[4],
            source=r[5],
            external_id=r[6],
            status=r[7],
            price=Decimal(r[8]) if r[8] else None,
            reverses=r[9],
            drafted_by=r[10],
            approved_by=r[11],
            approved_at=parse_ts(r[12]) if r[12] else None,
            prev_hash=r[13],
            hash=r[14],
            postings=tuple(postings[r[0]]),
            amendments=amendments.get(r[0], ()),
            details=details_from_text(r[15]),
        )
        for r in rows
    ]


async def flows(
    register: Register, prefix: str, since: datetime, until: datetime, *, hourly: bool
) -> list[tuple[str, datetime, Amount]]:
    ids = {i: p for p, i in register._account_ids.items() if p.startswith(prefix)}
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    sums: dict[tuple[str, str, str], int] = {}
    if hourly:
        rows = await register._all(
            f"SELECT account_id, asset, substr(ts, 1, 13), units FROM postings WHERE account_id IN ({marks}) "
            "AND ts >= ? AND ts < ?",
            [*ids, format_ts(since), format_ts(until)],
        )
    else:
        rows = await register._all(
            f"SELECT account_id, asset, day, units FROM daily WHERE account_id IN ({marks}) AND day >= ? AND day < ?",
            [*ids, format_ts(since)[:10], format_ts(until)[:10]],
        )
    for account_id, asset, bucket, units in rows:
        key = (ids[account_id], asset, bucket)
        sums[key] = sums.get(key, 0) + from_db(units)
    result = []
    for (account, asset, bucket), units in sums.items():
        start = datetime.fromisoformat(bucket + (":00" if hourly else "")).replace(tzinfo=UTC)
        result.append((account, start, Amount.from_units(register.asset(asset), units)))
    return sorted(result, key=lambda r: (r[1], r[0], r[2].asset.code))
