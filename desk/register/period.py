"""A period's inflows summed inside SQLite, for readers whose figures are totals (the monthly
report): what they would get by walking every entry of the period and adding up, without
building an object per entry. A month holds tens of thousands of earnings; the answer is a
few hundred rows.

An inflow here is an entry that credits an account under a prefix (e.g. `income:`): it is
attributed to the first such account in posting order (the pool it was mined at, the case it
was seized in), and what it received is the sum of its positive postings to accounts under
another prefix (`assets:`), per asset. Kinds the caller classifies otherwise (a purchase) are
left out. Figures come per credited account, asset and UTC day, with the newest frozen
valuations of the receipts summed per credited account, asset, state and price currency; a
receipt whose valuation SQLite cannot match to it comes back on its own.

Sums are exact: SQLite adds units as integers only (each value cut in two 32-bit halves), a
value past 63 bits comes back as text for Python to add, and Python adds the valuations'
decimal USD and KZT figures (SQLite would add them as floats).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Context, Decimal, localcontext
from typing import TYPE_CHECKING

from desk.money import Amount
from desk.register import period_pg
from desk.register.entries import format_ts, parse_ts
from desk.register.units import from_db

if TYPE_CHECKING:
    from desk.register.register import Register

#: An integer units value is added as units / 2**32 and units % 2**32: neither sum can
#: overflow 63 bits before four billion rows.
_HALF = 2**32
#: Exact decimal arithmetic for the sums (far wider than any figure).
_EXACT = Context(prec=80)

#: The sign of a units value; a text value is always beyond 63 bits, so never zero.
_SIGN = "CASE WHEN typeof({u}) = 'integer' THEN sign({u}) WHEN substr({u}, 1, 1) = '-' THEN -1 ELSE 1 END"


def _units(high: int | None, low: int | None, rest: str | None) -> int:
    total = (high or 0) * _HALF + (low or 0)
    return total + sum(int(t) for t in rest.split()) if rest else total


@dataclass(frozen=True, slots=True)
class CreditDay:
    """The inflows of one UTC day first crediting `account`: how many entries received
    `asset`, and how much in all."""

    account: str
    asset: str
    day: date
    entries: int
    received: Amount


@dataclass(frozen=True, slots=True)
class ReceiptSum:
    """The newest frozen valuations of the `asset` received by inflows crediting `account`,
    in one state (valued, stale, missing) and price currency: how many, their USD and KZT
    values summed exactly, and the first of them (lowest entry seq) with its reason."""

    account: str
    asset: str
    state: str
    currency: str | None
    count: int
    usd: Decimal
    kzt: Decimal
    first_seq: int
    first_reason: str | None


@dataclass(frozen=True, slots=True)
class Receipt:
    """One inflow's receipt of one asset that the sums leave out, for the caller to value:
    SQLite could not match it to a frozen valuation of the same units (there is none, it
    values another amount, or the receipt is several postings or past 63 bits, which only
    Python adds exactly)."""

    seq: int
    ts: datetime
    account: str
    amount: Amount


@dataclass(frozen=True, slots=True)
class Credits:
    days: list[CreditDay]
    sums: list[ReceiptSum]
    others: list[Receipt]


def _ids(register: Register, prefix: str) -> str:
    """The ids of the accounts under `prefix`, as an SQL list (ids are the register's integers)."""
    return ",".join(str(i) for path, i in register._account_ids.items() if path.startswith(prefix)) or "NULL"


def _credits_sql(register: Register, credited: str, into: str, besides: Sequence[str]) -> str:
    """Per inflow dated in [?1, ?2) (not of a kind in `besides`, ?3...): its first credited
    account; per asset it received, the units when one posting received them (as the
    valuations table writes units) beside its newest valuation of the asset. The rows: per
    account, asset and day the entries and units received ("day"); the valuations matched to
    their receipts, per account, asset, state and currency, their figures as lists of text for
    Python to add ("sum"); and each receipt left unmatched ("one")."""
    credit = f"p.account_id IN ({_ids(register, credited)}) AND {_SIGN.format(u='p.units')} < 0"
    receipt = f"r.account_id IN ({_ids(register, into)}) AND {_SIGN.format(u='r.units')} > 0"
    marks = ",".join(f"?{3 + i}" for i in range(len(besides)))
    # the period's entries of those kinds, read once through (kind, ts), not looked up per posting
    kind = f"AND p.entry_seq NOT IN (SELECT seq FROM entries WHERE kind IN ({marks}) AND ts >= ?1 AND ts < ?2)"
    kind = kind if besides else ""
    return f"""
WITH origin AS MATERIALIZED (
    SELECT p.entry_seq AS seq, p.account_id AS account, min(p.idx) FROM postings p
    WHERE p.ts >= ?1 AND p.ts < ?2 AND {credit} {kind}
    GROUP BY p.entry_seq
), received AS MATERIALIZED (
    SELECT o.seq AS seq, o.account AS account, r.asset AS asset, substr(r.ts, 1, 10) AS day, r.ts AS ts,
           count(*) AS postings, max(r.units) AS units,
           sum(CASE WHEN typeof(r.units) = 'integer' THEN r.units / {_HALF} END) AS high,
           sum(CASE WHEN typeof(r.units) = 'integer' THEN r.units % {_HALF} END) AS low,
           group_concat(CASE WHEN typeof(r.units) <> 'integer' THEN r.units END, ' ') AS rest
    FROM origin o JOIN postings r ON r.entry_seq = o.seq WHERE {receipt} GROUP BY o.seq, r.asset
), valued AS MATERIALIZED (
    SELECT x.seq, x.ts, x.account, x.asset, v.state, v.price_currency AS currency, v.usd, v.kzt, v.reason,
           coalesce(x.postings = 1 AND typeof(x.units) = 'integer' AND v.units = CAST(x.units AS TEXT), 0) AS matched
    FROM received x LEFT JOIN valuations v ON v.entry_seq = x.seq AND v.asset = x.asset
     AND v.revision = (SELECT max(revision) FROM valuations w WHERE w.entry_seq = x.seq AND w.asset = x.asset)
)
SELECT 'day', account, asset, day, count(*), sum(high), sum(low), group_concat(rest, ' '), NULL, NULL
FROM received GROUP BY account, asset, day
UNION ALL
SELECT 'sum', account, asset, state, currency, count(*), min(seq), reason,
       group_concat(usd, ' '), group_concat(kzt, ' ')
FROM valued WHERE matched GROUP BY account, asset, state, currency
UNION ALL
SELECT 'one', account, asset, seq, ts, NULL, NULL, NULL, NULL, NULL FROM valued WHERE NOT matched
"""


async def credits(
    register: Register, since: datetime, until: datetime, *, credited: str, into: str, besides: Sequence[str] = ()
) -> Credits:
    """The inflows dated in [since, until): entries crediting an account under `credited`,
    except those of a kind in `besides`; see the module docstring."""
    paths = {i: p for p, i in register._account_ids.items()}
    params = (format_ts(since), format_ts(until), *besides)
    if register._db.dialect == "postgres":  # PostgreSQL's own SQL for the same rows (period_pg.py)
        rows = await period_pg.credit_rows(register, _ids(register, credited), _ids(register, into), besides, params)
    else:
        rows = await register._all(_credits_sql(register, credited, into, besides), params)
    assets = register.assets()
    days, sums, singles = [], [], []
    for what, account_id, code, *rest in rows:
        account = paths[account_id]
        if what == "day":
            day, count, high, low, text = rest[:5]
            received = Amount.from_units(assets[code], _units(high, low, text))
            days.append(CreditDay(account, code, date.fromisoformat(day), count, received))
        elif what == "sum":  # min(seq) makes the bare `reason` that of the first (SQLite's rule)
            state, currency, count, first, reason, usd, kzt = rest
            sums.append(ReceiptSum(account, code, state, currency, count, _sum(usd), _sum(kzt), first, reason))
        else:
            singles.append((rest[0], rest[1], account, code))
    received_units = await _received(register, sorted({seq for seq, *_ in singles}), into)
    others = [
        Receipt(seq, parse_ts(ts), account, Amount.from_units(assets[code], received_units[(seq, code)]))
        for seq, ts, account, code in sorted(singles)
    ]
    days.sort(key=lambda d: (d.day, d.account, d.asset))
    sums.sort(key=lambda s: (s.account, s.asset, s.state, s.currency or ""))
    return Credits(days, sums, others)


def _sum(texts: str | None) -> Decimal:
    """The exact sum of space-separated decimal texts (none: zero)."""
    with localcontext(_EXACT):
        return sum(map(Decimal, (texts or "").split()), Decimal(0))


async def _received(register: Register, seqs: list[int], into: str) -> dict[tuple[int, str], int]:
    """(entry, asset) -> what the entry put into accounts under `into`, added in Python."""
    found: dict[tuple[int, str], int] = {}
    holdings = {i for p, i in register._account_ids.items() if p.startswith(into)}
    for start in range(0, len(seqs), 500):
        chunk = seqs[start : start + 500]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT entry_seq, account_id, asset, units FROM postings WHERE entry_seq IN ({marks})"
        for seq, account_id, asset, units in await register._all(sql, chunk):
            value = from_db(units)
            if account_id in holdings and value > 0:
                found[(seq, asset)] = found.get((seq, asset), 0) + value
    return found


async def last_seq(register: Register, since: datetime, until: datetime) -> int | None:
    """The highest seq of the entries dated in [since, until): the last written of them."""
    row = await register._one(
        "SELECT max(seq) FROM entries WHERE ts >= ? AND ts < ?", (format_ts(since), format_ts(until))
    )
    return row[0] if row else None
