"""FIFO lots kept in the register: replayed once, then continued pass by pass.

The rules are desk/valuation/lots.py's (pure), the storage desk/register/lots.py's; this module
runs the replay between them:

- `advance` continues the kept lots with the entries since the last pass, `chunk` entries per
  short write. An entry dated before the last one replayed, or a new valuation of one already
  replayed, first rewinds the kept lots to just before it. The sync runs it after each
  valuation pass, and every reader first, so what is read is never behind the register.
- `totals` and `held` read the lots at a moment: the totals (cost basis, units per source)
  from the per-day sums, whatever the register's size; the lots one by one from their rows.
- `check` replays the whole register from scratch in memory and compares it with what is kept:
  the kept lots are derived data, and this is how they are proven.
"""

from __future__ import annotations

import asyncio
import decimal
import sys
import time
import weakref
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from desk.money import MONEY_CONTEXT, Amount
from desk.register import Register, valuations
from desk.register import lots as store
from desk.register.entries import format_ts, parse_ts
from desk.register.lots import START, DayKey, HeldRow, LotsChanged, Mark, Placed, SumKey, Sums
from desk.register.pages import Key
from desk.register.valuations import CostRow
from desk.valuation.lots import PRICED_KINDS, Book, Cost, CostOf, Lot, LotTotals, Step, replay, steps_from_rows, takes
from desk.valuation.prices import PriceMissing, PricePolicy, snapshot, value_in

RESERVE = "assets:reserve:"
#: Entries replayed and kept per write: one chunk is a short transaction even at a million.
CHUNK = 50_000
#: Digits kept when a lot's cost is a part of a valuation or a price paid.
PART_PLACES = Decimal(1).scaleb(-12)
_LAST = sys.maxsize
#: A time after every entry's.
_END = "9999"

K = TypeVar("K")

_locks: weakref.WeakKeyDictionary[Register, asyncio.Lock] = weakref.WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class LotsPass:
    """What one `advance` did: entries replayed, and the key it rewound from (None: none)."""

    replayed: int = 0
    rewound_from: Key | None = None
    seconds: Decimal = Decimal(0)


async def advance(register: Register, policy: PricePolicy, *, chunk: int = CHUNK) -> LotsPass:
    """Bring the kept lots up to the register's head (see the module docstring). Safe from
    several places at once: one pass per register object, and a pass that finds another
    process moved the lots first starts again from where that one left them."""
    started = time.perf_counter()
    async with _locks.setdefault(register, asyncio.Lock()):
        while True:
            try:
                replayed, rewound = await _advance(register, policy, chunk)
                break
            except LotsChanged:
                continue
    seconds = Decimal(time.perf_counter() - started).quantize(Decimal("0.001"))  # float-ok: elapsed seconds
    return LotsPass(replayed, rewound, seconds)


async def _advance(register: Register, policy: PricePolicy, chunk: int) -> tuple[int, Key | None]:
    head, _ = await register.head()
    valuation = await valuations.valuation_mark(register)
    kept = await store.mark(register)
    rewound = await store.first_changed(register, kept, valuation=valuation)
    if rewound is not None:
        kept = await store.rewind(register, rewound, expect=kept, head=head, valuation=valuation)
    replayed = 0
    paths = store.account_paths(register)
    while (end := await store.chunk_end(register, after=kept.through, head=head, limit=chunk)) is not None:
        rows = await store.replay_rows(register, after=kept.through, through=end, head=head)
        steps = await asyncio.to_thread(steps_from_rows, rows, paths)
        fronts = await store.fronts(register, takes(steps))
        book = await asyncio.to_thread(_continued, fronts, await store.next_row(register))
        cost_of = await _costs(register, policy, steps, [s.seq for s in steps])
        await asyncio.to_thread(replay, steps, cost_of, book)
        placed, taken, days = await asyncio.to_thread(_changes, book)
        new = Mark(end, head, valuation)
        await store.write(register, placed, taken, days, new=new, expect=kept)
        kept, replayed = new, replayed + len(steps)
    if (kept.head, kept.valuation) != (head, valuation):
        await store.set_mark(register, Mark(kept.through, head, valuation), expect=kept)
    return replayed, rewound


def _continued(fronts: Mapping[tuple[str, str], Sequence[HeldRow]], next_row: int) -> Book:
    """A book to continue: the fronts of the queues kept, new rows numbered from `next_row`."""
    book = Book(next_row=next_row)
    for queue, held in fronts.items():
        book.lots[queue] = deque(_lot(row) for row in held)
    return book


def _lot(row: HeldRow) -> Lot:
    row_id, pos, account, asset, units, source, entry_seq, acquired, usd, kzt, basis, usdt = row
    return Lot(asset, account, units, source, parse_ts(acquired), entry_seq, usd, kzt, basis, usdt, row_id, pos)


def _changes(book: Book) -> tuple[list[Placed], list[tuple[int, int]], dict[DayKey, Sums]]:
    """What a replay did, as the register keeps it: the residences it placed (taken or not),
    the (row, seq) of residences kept earlier that it took, and the net per day (pure)."""
    placed: list[Placed] = []
    index: dict[int, int] = {}
    for lot, step in book.placed:
        index[lot.row] = len(placed)
        placed.append(
            Placed(
                lot.row,
                lot.account,
                lot.asset,
                lot.pos,
                lot.units,
                lot.source,
                lot.entry_seq,
                lot.cost_usd,
                lot.cost_kzt,
                lot.basis,
                lot.usdt_priced,
                step.seq,
                None,
            )
        )
    taken: list[tuple[int, int]] = []
    for lot, step in book.taken:
        i = index.get(lot.row)
        if i is None:
            taken.append((lot.row, step.seq))
        else:
            placed[i] = placed[i]._replace(taken_seq=step.seq)
    return placed, taken, _days(book.placed, book.taken)


def _days(placed: Iterable[tuple[Lot, Step]], taken: Iterable[tuple[Lot, Step]]) -> dict[DayKey, Sums]:
    units: dict[DayKey, int] = defaultdict(int)
    usd: dict[DayKey, list[Decimal]] = defaultdict(list)
    kzt: dict[DayKey, list[Decimal]] = defaultdict(list)
    day_of: dict[int, str] = {}
    for events, sign in ((placed, 1), (taken, -1)):
        for lot, step in events:
            day = day_of.get(step.seq)
            if day is None:
                day = day_of[step.seq] = step.ts.date().isoformat()
            known = lot.cost_usd is not None and lot.cost_kzt is not None
            key = (lot.account, lot.asset, lot.source, known, day)
            units[key] += sign * lot.units
            if known:
                usd[key].append(lot.cost_usd if sign > 0 else -lot.cost_usd)  # type: ignore[operator]
                kzt[key].append(lot.cost_kzt if sign > 0 else -lot.cost_kzt)  # type: ignore[operator]
    with decimal.localcontext(MONEY_CONTEXT):
        return {key: Sums(n, sum(usd[key], Decimal(0)), sum(kzt[key], Decimal(0))) for key, n in units.items()}


async def _costs(register: Register, policy: PricePolicy, steps: Sequence[Step], seqs: Sequence[int] | None) -> CostOf:
    """What a new lot arriving in one of `steps` cost: its part of the entry's newest valuation
    (an inflow), of the value given for it (a conversion or purchase), else unknown."""
    valued = await valuations.costs(register, seqs)
    priced = {s.seq: await _given_value(register, s, policy) for s in steps if s.kind in PRICED_KINDS}

    def cost_of(step: Step, asset: str, units: int) -> Cost:
        v = valued.get((step.seq, asset))
        if v is not None:
            return _valuation_cost(v, units)
        if step.seq in priced:
            usd, kzt, usdt, received_total, basis = priced[step.seq].get(asset, (None, None, False, units, ""))
            if basis:
                return Cost(_part(usd, units, received_total), _part(kzt, units, received_total), basis, usdt)
        return Cost(None, None, f"unknown: #{step.seq} {step.kind} has no valuation")

    return cost_of


def _part(total: Decimal | None, units: int, whole: int) -> Decimal | None:
    if total is None:
        return None
    if units == whole:
        return total
    ctx = MONEY_CONTEXT.copy()
    ctx.traps[decimal.Inexact] = False
    with decimal.localcontext(ctx):
        return (total * units / whole).quantize(PART_PLACES)


def _valuation_cost(v: CostRow, units: int) -> Cost:
    return Cost(_part(v.usd, units, v.units), _part(v.kzt, units, v.units), v.basis, v.usdt)


async def _given_value(
    register: Register, step: Step, policy: PricePolicy
) -> dict[str, tuple[Decimal | None, Decimal | None, bool, int, str]]:
    """For a conversion or purchase: per asset received, the value of what was given for it
    (USD, KZT, priced in USDT?, units received, basis)."""
    received: dict[str, int] = defaultdict(int)
    given: dict[str, int] = defaultdict(int)
    for m in step.moves:
        if m.account.startswith("assets:"):
            (received if m.units > 0 else given)[m.asset] += abs(m.units)
    result = {}
    assets = register.assets()
    for asset, units in received.items():
        others = [(a, u) for a, u in given.items() if a != asset]
        if len(others) != 1:
            continue
        code, paid = others[0]
        amount = Amount.from_units(assets[code], paid)
        book = await snapshot(register, [code], step.ts)
        values = []
        for currency in ("USD", "KZT"):
            try:
                values.append(value_in(book, amount, step.ts, currency, policy))
            except PriceMissing:
                values.append(None)
        usd, kzt = values
        result[asset] = (
            usd.value if usd else None,
            kzt.value if kzt else None,
            bool(usd and usd.currency == "USDT"),
            units,
            f"#{step.seq} {step.kind}: {amount} given",
        )
    return result


# ---------------------------------------------------------------- reading


async def totals(
    register: Register, policy: PricePolicy, at: datetime, prefix: str = RESERVE
) -> tuple[dict[str, LotTotals], dict[tuple[str, str], int]]:
    """Per asset, the lots held under `prefix` at `at` summed (units of known and unknown cost,
    the known cost); per (source, asset), their units. From the per-day sums: a few hundred
    rows, not the lots themselves."""
    await advance(register, policy)
    kept = await store.mark(register)
    cut = (format_ts(at), _LAST)
    if cut >= kept.through:
        sums = await store.day_sums(register, prefix)
    else:
        day = cut[0][:10]
        sums = _merged(
            await store.day_sums(register, prefix, before_day=day),
            await store.step_sums(register, prefix, since=day, through=cut),
        )
    return lot_totals(sums)


def _merged(a: Mapping[K, Sums], b: Mapping[K, Sums]) -> dict[K, Sums]:
    """`a` and `b` added key by key."""
    result = dict(a)
    with decimal.localcontext(MONEY_CONTEXT):
        for key, s in b.items():
            old = result.get(key)
            result[key] = s if old is None else _plus(old, s)
    return result


def _plus(a: Sums, b: Sums) -> Sums:
    return Sums(a.units + b.units, a.cost_usd + b.cost_usd, a.cost_kzt + b.cost_kzt)


def lot_totals(sums: Mapping[SumKey, Sums]) -> tuple[dict[str, LotTotals], dict[tuple[str, str], int]]:
    """Per-account sums -> per asset LotTotals, per (source, asset) units (pure)."""
    known: dict[str, int] = defaultdict(int)
    unknown: dict[str, int] = defaultdict(int)
    usd: dict[str, list[Decimal]] = defaultdict(list)
    kzt: dict[str, list[Decimal]] = defaultdict(list)
    by_source: dict[tuple[str, str], int] = defaultdict(int)
    for (_, asset, source, cost_known), s in sums.items():
        by_source[(source, asset)] += s.units
        if cost_known:
            known[asset] += s.units
            usd[asset].append(s.cost_usd)
            kzt[asset].append(s.cost_kzt)
        else:
            unknown[asset] += s.units
    with decimal.localcontext(MONEY_CONTEXT):
        result = {
            code: LotTotals(known[code], unknown[code], sum(usd[code], Decimal(0)), sum(kzt[code], Decimal(0)))
            for code in sorted(set(known) | set(unknown))
            if known[code] or unknown[code]
        }
    return result, {key: units for key, units in by_source.items() if units}


async def held(register: Register, policy: PricePolicy, at: datetime, prefix: str = RESERVE) -> list[Lot]:
    """The lots held in accounts under `prefix` at `at`, one by one, by account, asset and
    FIFO order (a listing: it costs what the accounts hold)."""
    await advance(register, policy)
    kept = await store.mark(register)
    cut = (format_ts(at), _LAST)
    rows = await store.held(register, prefix, None if cut >= kept.through else cut)
    return await asyncio.to_thread(lambda: [_lot(r) for r in rows]) if len(rows) > 5_000 else [_lot(r) for r in rows]


# ---------------------------------------------------------------- proving


async def replayed(register: Register, policy: PricePolicy, at: datetime | None = None, *, chunk: int = CHUNK) -> Book:
    """The lots replayed from scratch, in memory, from every entry up to `at` (None: all):
    what the kept lots must equal. Costs the whole register's replay; `check` uses it."""
    head, _ = await register.head()
    through = (format_ts(at), _LAST) if at else (_END, _LAST)
    book, _ = await _replayed(register, policy, through=through, head=head, chunk=chunk)
    return book


async def _replayed(
    register: Register, policy: PricePolicy, *, through: Key, head: int, chunk: int = CHUNK
) -> tuple[Book, dict[DayKey, Sums]]:
    """The book replayed from scratch through `through` and its sums per day, `chunk` entries
    at a time: only the lots held stay in memory, not every entry's steps and stays."""
    book = Book()
    days: dict[DayKey, Sums] = {}
    paths = store.account_paths(register)
    after = START
    while (end := await store.chunk_end(register, after=after, head=head, limit=chunk)) is not None and after < through:
        end = min(end, through)
        rows = await store.replay_rows(register, after=after, through=end, head=head)
        steps = await asyncio.to_thread(steps_from_rows, rows, paths)
        cost_of = await _costs(register, policy, steps, [s.seq for s in steps])
        await asyncio.to_thread(replay, steps, cost_of, book)
        days = _merged(days, await asyncio.to_thread(_days, book.placed, book.taken))
        book.placed.clear()
        book.taken.clear()
        book.consumed.clear()
        after = end
    return book, days


async def check(register: Register, policy: PricePolicy, *, limit: int = 10, chunk: int = CHUNK) -> list[str]:
    """Replay every entry the kept lots cover from scratch, in memory, and compare: each
    account's queue lot by lot, and each day's sums. Returns the differences found (at most
    `limit`), none when the kept lots are what the entries and valuations give."""
    await advance(register, policy)
    kept = await store.mark(register)
    fresh, fresh_days = await _replayed(register, policy, through=kept.through, head=kept.head, chunk=chunk)
    problems: list[str] = []
    stored: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for row in await store.held(register, ""):
        stored[(row[2], row[3])].append(_lot(row).facts())
    for queue in sorted(set(stored) | {q for q, lots in fresh.lots.items() if lots}):
        want = [lot.facts() for lot in fresh.lots.get(queue, ())]
        got = stored.get(queue, [])
        if got != want:
            at = next((i for i, (g, w) in enumerate(zip(got, want, strict=False)) if g != w), min(len(got), len(want)))
            kept_lot, replayed_lot = (got[at] if at < len(got) else None), (want[at] if at < len(want) else None)
            problems.append(
                f"lots of {queue[1]} in {queue[0]}: kept {len(got)}, replayed {len(want)}; first difference at "
                f"lot {at + 1}: kept {kept_lot}, replayed {replayed_lot}"
            )
    want_days = {k: s for k, s in fresh_days.items() if any(s)}
    got_days = {k: s for k, s in (await store.days(register)).items() if any(s)}
    for key in sorted(set(want_days) | set(got_days)):
        if want_days.get(key) != got_days.get(key):
            problems.append(f"lot sums of {key}: kept {got_days.get(key)}, replayed {want_days.get(key)}")
    return problems[:limit]
