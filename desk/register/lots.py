"""The register's side of FIFO lots: where every lot sits, kept pass by pass.

desk/valuation/fifo.py replays the entries into FIFO lots (the rules are in
desk/valuation/lots.py) and keeps the result here, so that a process continues from where the
last pass stopped instead of replaying a million entries. Two tables:

- `lots`: one row per *residence*, a lot (or the rest of one) sitting in one account from the
  entry whose replay put it there (`placed_seq`) to the one that took it (`taken_seq`, NULL
  while it is held), at its place in that account's FIFO queue (`pos`). The fronts of the
  queues are read through a partial index of the rows held; the rows held at a past moment by
  their two entries' times.
- `lot_days` (lot_days.py): per account, asset, source, cost known or not, and UTC day, the net units and
  cost that came in, so the cost basis at the end of any day is a sum of days (like balances).

Marks in `meta` say how far the replay has gone: the (ts, seq) key of the last entry replayed
(`lots_through_ts`, `lots_through_seq`), and the register's head seq and newest valuation id
when it was replayed (`lots_head`, `lots_valuation`).

Unlike the valuations (frozen facts: what a price was), lots are derived, from entries and
valuations by rules, and an entry dated before the last one replayed, or a new valuation of one
already replayed, changes FIFO from that point on. Then the rows from there are rewound
(`rewind`) and replayed again: rows are deleted and un-taken, so these tables are not
append-only. What keeps them honest is that they can be derived again at any time:
desk/valuation/fifo.py `check` replays from scratch and compares row for row and day by day.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from desk.register.lot_days import DayKey as DayKey
from desk.register.lot_days import SumKey as SumKey
from desk.register.lot_days import Sums as Sums
from desk.register.lot_days import account_paths as account_paths
from desk.register.lot_days import add_days, step_changes, summed
from desk.register.lot_days import day_sums as day_sums
from desk.register.lot_days import days as days
from desk.register.lot_days import step_sums as step_sums
from desk.register.pages import Key
from desk.register.units import from_db, to_db

if TYPE_CHECKING:
    from desk.register.register import Register

#: Lots read per query from the front of a queue.
FRONT_BATCH = 1_000
#: Rows at or above this are turned into records in a worker thread, off the event loop.
THREAD_THRESHOLD = 5_000
#: The key before every entry.
START: Key = ("", 0)

#: id, pos, account, asset, units, source, entry_seq, acquired (the entry's ts), cost_usd,
#: cost_kzt, basis, usdt_priced: a residence as read back
HeldRow = tuple[int, int, str, str, int, str, int, str, Decimal | None, Decimal | None, str, bool]

_LATER = "SELECT seq FROM entries INDEXED BY entries_ts WHERE ts >= ?1 AND (ts > ?1 OR seq >= ?2)"
_HELD_COLUMNS = (
    "l.id, l.pos, l.account_id, l.asset, l.units, l.source, l.entry_seq, e.ts, l.cost_usd, l.cost_kzt, l.basis, "
    "l.usdt_priced"
)


class Mark(NamedTuple):
    """How far the lots kept in the register go: every entry with seq <= `head` and key <=
    `through` is replayed, with the valuations up to id `valuation`."""

    through: Key
    head: int
    valuation: int


class Placed(NamedTuple):
    """A residence to keep: `taken_seq` is None while the lot is still there."""

    id: int
    account: str
    asset: str
    pos: int
    units: int
    source: str
    entry_seq: int
    cost_usd: Decimal | None
    cost_kzt: Decimal | None
    basis: str
    usdt_priced: bool
    placed_seq: int
    taken_seq: int | None


class LotsChanged(Exception):
    """Another process moved the lots first; nothing was written, start again from its mark."""


async def mark(register: Register) -> Mark:
    rows = dict(
        await register._all(
            "SELECT key, value FROM meta WHERE key IN ('lots_through_ts', 'lots_through_seq', 'lots_head', "
            "'lots_valuation')"
        )
    )
    # int(): PostgreSQL keeps meta values as text, SQLite as given
    through = (rows["lots_through_ts"], int(rows["lots_through_seq"]))
    return Mark(through, int(rows["lots_head"]), int(rows["lots_valuation"]))


async def first_changed(register: Register, since: Mark, *, valuation: int) -> Key | None:
    """The earliest key from which the kept lots no longer follow from the register: an entry
    appended after `since.head` but dated at or before `since.through`, or a valuation with an
    id in (`since.valuation`, `valuation`] of an entry already replayed. None: nothing changed."""
    if since.through == START:
        return None
    ts, seq = since.through
    found: list[Key] = []
    late = await register._one(
        "SELECT ts, seq FROM entries NOT INDEXED WHERE seq > ?1 AND (ts < ?2 OR (ts = ?2 AND seq <= ?3)) "
        "ORDER BY ts, seq LIMIT 1",
        (since.head, ts, seq),
    )
    if late is not None:
        found.append((late[0], late[1]))
    revalued = await register._one(
        "SELECT e.ts, e.seq FROM valuations v JOIN entries e ON e.seq = v.entry_seq "
        "WHERE v.id > ?1 AND v.id <= ?2 AND (e.ts < ?3 OR (e.ts = ?3 AND e.seq <= ?4)) ORDER BY e.ts, e.seq LIMIT 1",
        (since.valuation, valuation, ts, seq),
    )
    if revalued is not None:
        found.append((revalued[0], revalued[1]))
    return min(found) if found else None


async def chunk_end(register: Register, *, after: Key, head: int, limit: int) -> Key | None:
    """The key of the `limit`th entry after `after` (of those with seq <= `head`), or of the
    last one if fewer; None if there is none."""
    where = "WHERE ts >= ?1 AND (ts > ?1 OR seq > ?2) AND seq <= ?3"
    row = await register._one(
        f"SELECT ts, seq FROM entries INDEXED BY entries_ts {where} ORDER BY ts, seq LIMIT 1 OFFSET ?4",
        (*after, head, limit - 1),
    )
    if row is None:
        row = await register._one(
            f"SELECT ts, seq FROM entries INDEXED BY entries_ts {where} ORDER BY ts DESC, seq DESC LIMIT 1",
            (*after, head),
        )
    return (row[0], row[1]) if row else None


async def replay_rows(register: Register, *, after: Key, through: Key, head: int) -> list[tuple]:
    """(seq, ts, kind, account_id, asset, units) of every posting of the entries with a key in
    (`after`, `through`] and seq <= `head`, in (time, seq, posting) order: a replay's input
    (raw: a chunk is turned into steps in a worker thread, with `account_paths`)."""
    return await register._all(
        "SELECT p.entry_seq, e.ts, e.kind, p.account_id, p.asset, p.units FROM entries e INDEXED BY entries_ts "
        "JOIN postings p ON p.entry_seq = e.seq WHERE e.ts >= ?1 AND (e.ts > ?1 OR e.seq > ?2) "
        "AND (e.ts < ?3 OR (e.ts = ?3 AND e.seq <= ?4)) AND e.seq <= ?5 ORDER BY e.ts, e.seq, p.idx",
        (*after, *through, head),
    )


async def next_row(register: Register) -> int:
    row = await register._one("SELECT MAX(id) FROM lots")
    return (row[0] or 0) + 1 if row else 1


async def fronts(register: Register, needs: Mapping[tuple[str, str], int]) -> dict[tuple[str, str], list[HeldRow]]:
    """For each (account, asset) queue, the lots held at its front, oldest first, until they
    hold at least the units `needs` says (or the queue ends)."""
    paths = account_paths(register)
    result: dict[tuple[str, str], list[HeldRow]] = {}
    for (account, asset), units in needs.items():
        account_id = register._account_ids.get(account)
        if account_id is None or units <= 0:
            continue
        held: list[HeldRow] = []
        got, after = 0, -1
        while got < units:
            rows = await register._all(
                f"SELECT {_HELD_COLUMNS} FROM lots l INDEXED BY lots_queue JOIN entries e ON e.seq = l.entry_seq "
                "WHERE l.account_id = ? AND l.asset = ? AND l.taken_seq IS NULL AND l.pos > ? ORDER BY l.pos LIMIT ?",
                (account_id, asset, after, FRONT_BATCH),
            )
            held += [_held(r, paths) for r in rows]
            got += sum(from_db(r[4]) for r in rows)
            if len(rows) < FRONT_BATCH:
                break
            after = rows[-1][1]
        result[(account, asset)] = held
    return result


def _held(r: Sequence[Any], paths: Mapping[int, str]) -> HeldRow:
    return (
        r[0],
        r[1],
        paths[r[2]],
        r[3],
        from_db(r[4]),
        r[5],
        r[6],
        r[7],
        None if r[8] is None else Decimal(r[8]),
        None if r[9] is None else Decimal(r[9]),
        r[10],
        bool(r[11]),
    )


async def held(register: Register, prefix: str, at: Key | None = None) -> list[HeldRow]:
    """The lots held in accounts under `prefix` after the entry at key `at` (None: now), by
    account, asset and FIFO order."""
    paths = account_paths(register)
    ids = sorted((p, i) for p, i in register._account_ids.items() if p.startswith(prefix))
    result: list[Sequence[Any]] = []
    for _, account_id in ids:
        if at is None:
            rows = await register._all(
                f"SELECT {_HELD_COLUMNS} FROM lots l INDEXED BY lots_queue JOIN entries e ON e.seq = l.entry_seq "
                "WHERE l.account_id = ? AND l.taken_seq IS NULL ORDER BY l.asset, l.pos",
                (account_id,),
            )
        else:
            rows = await register._all(
                f"SELECT {_HELD_COLUMNS} FROM lots l JOIN entries e ON e.seq = l.entry_seq "
                "JOIN entries p ON p.seq = l.placed_seq LEFT JOIN entries t ON t.seq = l.taken_seq "
                "WHERE l.account_id = ?1 AND (p.ts < ?2 OR (p.ts = ?2 AND p.seq <= ?3)) "
                "AND (t.seq IS NULL OR t.ts > ?2 OR (t.ts = ?2 AND t.seq > ?3)) ORDER BY l.asset, l.pos",
                (account_id, *at),
            )
        result += rows
    if len(result) > THREAD_THRESHOLD:  # a million lots would stall the event loop
        return await asyncio.to_thread(_held_rows, result, paths)
    return _held_rows(result, paths)


def _held_rows(rows: Sequence[Sequence[Any]], paths: Mapping[int, str]) -> list[HeldRow]:
    return [_held(r, paths) for r in rows]


async def write(
    register: Register,
    placed: Sequence[Placed],
    taken: Sequence[tuple[int, int]],
    days: Mapping[DayKey, Sums],
    *,
    new: Mark,
    expect: Mark,
) -> None:
    """Keep one replayed chunk in one transaction: the residences it `placed` (with their ids),
    the (id, taking seq) of residences kept earlier that it `taken`, what it added to each day,
    and the mark it reached. LotsChanged if another process moved the mark since `expect`."""
    ids = register._account_ids
    async with register._db.write():
        if await mark(register) != expect:
            raise LotsChanged("another process kept lots first")
        await register._db.executemany(
            "INSERT INTO lots (id, account_id, asset, pos, units, source, entry_seq, cost_usd, cost_kzt, basis, "
            "usdt_priced, placed_seq, taken_seq) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    p.id,
                    ids[p.account],
                    p.asset,
                    p.pos,
                    to_db(p.units),
                    p.source,
                    p.entry_seq,
                    _text(p.cost_usd),
                    _text(p.cost_kzt),
                    p.basis,
                    int(p.usdt_priced),
                    p.placed_seq,
                    p.taken_seq,
                )
                for p in placed
            ],
        )
        await register._db.executemany("UPDATE lots SET taken_seq = ? WHERE id = ?", [(s, i) for i, s in taken])
        await add_days(register, days)
        await _set_mark(register, new)


async def rewind(register: Register, start: Key, *, expect: Mark, head: int, valuation: int) -> Mark:
    """Undo the replay of every entry with a key at or after `start`: the residences they placed
    are deleted, those they took are held again, and the days from `start`'s on are summed
    again from what is left. Returns the new mark (through the last entry before `start`)."""
    async with register._db.write():
        if await mark(register) != expect:
            raise LotsChanged("another process kept lots first")
        await register._db.execute(f"UPDATE lots SET taken_seq = NULL WHERE taken_seq IN ({_LATER})", start)
        await register._db.execute(f"DELETE FROM lots WHERE placed_seq IN ({_LATER})", start)
        day = start[0][:10]
        await register._db.execute("DELETE FROM lot_days WHERE day >= ?", (day,))
        changes = await step_changes(register, since=day, before=start, through=None)
        await add_days(register, {(*key, day): sums for key, sums in summed(changes).items()})
        row = await register._one(
            "SELECT ts, seq FROM entries INDEXED BY entries_ts WHERE ts <= ?1 AND (ts < ?1 OR seq < ?2) "
            "ORDER BY ts DESC, seq DESC LIMIT 1",
            start,
        )
        new = Mark((row[0], row[1]) if row else START, head, valuation)
        await _set_mark(register, new)
    return new


async def _set_mark(register: Register, new: Mark) -> None:
    await register._db.executemany(
        "UPDATE meta SET value = ? WHERE key = ?",
        [
            (new.through[0], "lots_through_ts"),
            (new.through[1], "lots_through_seq"),
            (new.head, "lots_head"),
            (new.valuation, "lots_valuation"),
        ],
    )


async def set_mark(register: Register, new: Mark, *, expect: Mark) -> None:
    """Move the mark alone (nothing new to replay, but the head or the valuations moved)."""
    async with register._db.write():
        if await mark(register) != expect:
            raise LotsChanged("another process kept lots first")
        await _set_mark(register, new)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
