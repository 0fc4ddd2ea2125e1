"""FIFO lots: where every coin the fund holds came from and what it cost, derived from postings.

The register's postings are replayed in (time, seq) order over every asset account (pools,
wallets, exchanges, the reserve). Each account keeps a FIFO queue of lots per asset:

- coins leaving an account are taken from its oldest lots first;
- of what an entry takes, the part that leaves the fund's asset accounts (a network fee to
  expenses:fees, the asset given up in a conversion) is consumed first, oldest first; the
  rest moves, oldest first, to the receiving asset accounts in posting order, keeping each
  lot's cost, source and acquisition time (a move is not an acquisition);
- coins arriving with nothing taken are a new lot: an inflow (earning, seizure, opening) at
  its frozen valuation at receipt, a conversion or purchase at the value of what was given
  for it (USDT at par with USD, said so), anything else as transferred in at unknown cost;
- taking more than an account holds (a pool's history before the first sync) yields an
  "unknown cost" piece, flagged, so lots always sum to the balances.

Cost splits are proportional and the remainder stays with the lot, so costs add up exactly.
Pure functions over plain rows: the replay runs in a worker thread.

A replay also says what it did, for the register to keep (desk/valuation/fifo.py): every
time a lot is put into an account (a new lot, a lot moved in, the rest of a lot split at the
front of its queue) is a *residence* with a row number and a place in that account's queue,
and the book lists each residence `placed` and `taken` with the step that did it. A replay
can start from the fronts of queues read back from the register and carry on from there.
"""

from __future__ import annotations

import decimal
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from desk.money import MONEY_CONTEXT
from desk.register.entries import parse_ts
from desk.register.units import from_db

SOURCES = ("mined", "seized", "purchased", "transferred in")
PRICED_KINDS = frozenset({"conversion", "purchase"})
#: Digits kept when a lot's cost is split in proportion (the remainder stays exact).
SPLIT_PLACES = Decimal(1).scaleb(-12)


class Lot(NamedTuple):
    """`units` of `asset` held in `account`, acquired at `acquired` by entry `entry_seq`.

    `cost_usd`/`cost_kzt` are the whole lot's cost (None: unknown). `usdt_priced` says the
    dollar cost came from a USDT price, taken at par with USD. `row` and `pos` say where the
    lot sits while it is in `account`: its residence's row number and its place in the
    account's FIFO queue (0 for a part split off on its way out)."""

    asset: str
    account: str
    units: int
    source: str
    acquired: datetime
    entry_seq: int
    cost_usd: Decimal | None
    cost_kzt: Decimal | None
    basis: str
    usdt_priced: bool = False
    row: int = 0
    pos: int = 0

    def split(self, units: int, rest_row: int) -> tuple[Lot, Lot]:
        """(the first `units`, moving; the rest, staying at this lot's place as residence
        `rest_row`), costs in proportion, the rest keeping the remainder."""
        taken_usd = _share(self.cost_usd, units, self.units)
        taken_kzt = _share(self.cost_kzt, units, self.units)
        rest_usd = None if self.cost_usd is None else _sub(self.cost_usd, taken_usd)
        rest_kzt = None if self.cost_kzt is None else _sub(self.cost_kzt, taken_kzt)
        return self._with(self.account, units, taken_usd, taken_kzt, 0, 0), self._with(
            self.account, self.units - units, rest_usd, rest_kzt, rest_row, self.pos
        )

    def moved_to(self, account: str, row: int) -> Lot:
        """This lot placed at the back of `account`'s queue as residence `row`."""
        return self._with(account, self.units, self.cost_usd, self.cost_kzt, row, row)

    def facts(self) -> tuple:
        """Everything but where it is stored: what a replay from scratch must reproduce."""
        return self[:10]

    def _with(
        self, account: str, units: int, cost_usd: Decimal | None, cost_kzt: Decimal | None, row: int, pos: int
    ) -> Lot:
        # the constructor directly: dataclasses.replace costs several times more, per lot moved
        return Lot(
            self.asset,
            account,
            units,
            self.source,
            self.acquired,
            self.entry_seq,
            cost_usd,
            cost_kzt,
            self.basis,
            self.usdt_priced,
            row,
            pos,
        )


def _share(cost: Decimal | None, part: int, whole: int) -> Decimal | None:
    if cost is None:
        return None
    ctx = MONEY_CONTEXT.copy()
    ctx.traps[decimal.Inexact] = False
    with decimal.localcontext(ctx):
        return (cost * part / whole).quantize(SPLIT_PLACES)


def _sub(a: Decimal, b: Decimal | None) -> Decimal:
    with decimal.localcontext(MONEY_CONTEXT):
        return a - (b or Decimal(0))


class Cost(NamedTuple):
    """What a new lot cost in total, and where that figure came from."""

    usd: Decimal | None
    kzt: Decimal | None
    basis: str
    usdt_priced: bool = False


class Move(NamedTuple):
    """One posting: `units` (signed) of `asset` on `account`."""

    account: str
    asset: str
    units: int


class Step(NamedTuple):
    """One entry to replay."""

    seq: int
    ts: datetime
    kind: str
    moves: tuple[Move, ...]


#: (entry, asset received, units received) -> the cost of that new lot
CostOf = Callable[[Step, str, int], Cost]


@dataclass(slots=True)
class Book:
    """The replay's state: each account's lots per asset, oldest first (or only the front of
    a queue kept in the register: what the steps to replay take, see `takes`), what left the
    fund, and the residences placed and taken, each with the step that did it."""

    lots: dict[tuple[str, str], deque[Lot]] = field(default_factory=lambda: defaultdict(deque))
    consumed: list[Lot] = field(default_factory=list)
    placed: list[tuple[Lot, Step]] = field(default_factory=list)
    taken: list[tuple[Lot, Step]] = field(default_factory=list)
    #: the row number the next residence gets
    next_row: int = 1

    def held(self, prefix: str = "assets:reserve:") -> list[Lot]:
        """Lots in accounts under `prefix`, by account, asset, then FIFO order."""
        return [lot for (account, _), queue in sorted(self.lots.items()) if account.startswith(prefix) for lot in queue]

    def new_row(self) -> int:
        row = self.next_row
        self.next_row += 1
        return row


def source_of(step: Step, asset: str) -> str:
    """Where coins arriving in `step` with nothing taken come from."""
    if step.kind in PRICED_KINDS:
        return "purchased"
    credited = [m.account for m in step.moves if m.units < 0 and not m.account.startswith("assets:")]
    if step.kind == "seizure" or any(a.startswith("income:seized:") for a in credited):
        return "seized"
    if step.kind == "earning" or any(a.startswith("income:mining:") for a in credited):
        return "mined"
    return "transferred in"


def takes(steps: Iterable[Step]) -> dict[tuple[str, str], int]:
    """Units each (account, asset) queue gives up over `steps`: a replay of them reaches no
    further into a queue kept in the register than this (FIFO takes from the front)."""
    total: dict[tuple[str, str], int] = defaultdict(int)
    for step in steps:
        for move in step.moves:
            if move.units < 0 and move.account.startswith("assets:"):
                total[(move.account, move.asset)] -= move.units
    return dict(total)


def replay(steps: Iterable[Step], cost_of: CostOf, into: Book | None = None) -> Book:
    """Replay `steps` (in time order) into FIFO lots; see the module docstring for the rules.
    With `into`, continue that book (changing it) with steps that all come after its own."""
    book = into if into is not None else Book()
    lots, consumed = book.lots, book.consumed
    for step in steps:
        by_asset: dict[str, list[Move]] = defaultdict(list)
        for move in step.moves:
            by_asset[move.asset].append(move)
        for asset, moves in by_asset.items():
            taken: deque[Lot] = deque()
            for move in moves:
                if move.units < 0 and move.account.startswith("assets:"):
                    taken.extend(_take(book, lots[(move.account, asset)], -move.units, step, move.account, asset))
            out_units = sum(m.units for m in moves if m.units > 0 and not m.account.startswith("assets:"))
            # what leaves the fund (fees, the asset given up) is consumed first, oldest first
            consumed.extend(_pop(book, taken, out_units, step))
            for move in moves:
                if move.units > 0 and move.account.startswith("assets:"):
                    moved = _pop(book, taken, move.units, step)
                    got = sum(lot.units for lot in moved)
                    queue = lots[(move.account, asset)]
                    for lot in moved:
                        _place(book, queue, lot.moved_to(move.account, book.new_row()), step)
                    if got < move.units:
                        _place(book, queue, _new_lot(book, step, asset, move.account, move.units - got, cost_of), step)
            # taken but neither sent out nor received (a conversion's given-up leg): consumed
            consumed.extend(taken)
    return book


def _place(book: Book, queue: deque[Lot], lot: Lot, step: Step) -> None:
    queue.append(lot)
    book.placed.append((lot, step))


def _take(book: Book, queue: deque[Lot], units: int, step: Step, account: str, asset: str) -> list[Lot]:
    """Take `units` from the front of `queue`; a shortfall becomes an unknown-cost piece."""
    pieces = _pop(book, queue, units, step, held=True)
    short = units - sum(lot.units for lot in pieces)
    if short > 0:
        pieces.append(
            Lot(
                asset,
                account,
                short,
                "transferred in",
                step.ts,
                step.seq,
                None,
                None,
                f"unknown: #{step.seq} took more than {account} held",
            )
        )
    return pieces


def _pop(book: Book, queue: deque[Lot], units: int, step: Step, *, held: bool = False) -> list[Lot]:
    """Up to `units` from the front of `queue`, splitting the last lot if needed. From an
    account's queue (`held`), each lot is taken from its residence, and the rest of a split one
    stays in its place as a new residence."""
    pieces: list[Lot] = []
    while units > 0 and queue:
        lot = queue.popleft()
        if held:
            book.taken.append((lot, step))
        if lot.units <= units:
            pieces.append(lot)
            units -= lot.units
        else:
            first, rest = lot.split(units, book.new_row() if held else 0)
            pieces.append(first)
            queue.appendleft(rest)
            if held:
                book.placed.append((rest, step))
            units = 0
    return pieces


def _new_lot(book: Book, step: Step, asset: str, account: str, units: int, cost_of: CostOf) -> Lot:
    cost = cost_of(step, asset, units)
    row = book.new_row()
    return Lot(
        asset,
        account,
        units,
        source_of(step, asset),
        step.ts,
        step.seq,
        cost.usd,
        cost.kzt,
        cost.basis,
        cost.usdt_priced,
        row,
        row,
    )


def steps_from_rows(rows: Sequence[tuple], paths: Mapping[int, str]) -> list[Step]:
    """Group posting rows (seq, ts, kind, account_id, asset, units) of consecutive entries."""
    steps: list[Step] = []
    for seq, group in groupby(rows, key=itemgetter(0)):
        postings = list(group)
        moves = tuple(Move(paths[r[3]], r[4], from_db(r[5])) for r in postings)
        steps.append(Step(seq, parse_ts(postings[0][1]), postings[0][2], moves))
    return steps


@dataclass(frozen=True, slots=True)
class LotTotals:
    """One asset's lots summed: units of known and unknown cost, and the known cost."""

    known_units: int
    unknown_units: int
    cost_usd: Decimal
    cost_kzt: Decimal
