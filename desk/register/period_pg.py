"""period.py's sums on PostgreSQL: the same rows, from SQL PostgreSQL reads.

SQLite's query leans on what only SQLite does (a bare column beside min(), typeof() to tell
integer units from text, one UNION of differently typed columns). PostgreSQL holds units as
NUMERIC, so it sums them exactly itself: each kind of row comes from a query of its own,
shaped as period.py reads them ("day": the total as `low`, no `high` or text rest; "sum":
the first receipt's reason by entry seq; "one": an unmatched receipt).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desk.register.register import Register


def _ctes(credited_ids: str, into_ids: str, besides: Sequence[str]) -> str:
    marks = ",".join(f"?{3 + i}" for i in range(len(besides)))
    kind = f"AND p.entry_seq NOT IN (SELECT seq FROM entries WHERE kind IN ({marks}) AND ts >= ?1 AND ts < ?2)"
    return f"""
WITH origin AS MATERIALIZED (
    SELECT DISTINCT ON (p.entry_seq) p.entry_seq AS seq, p.account_id AS account FROM postings p
    WHERE p.ts >= ?1 AND p.ts < ?2 AND p.account_id IN ({credited_ids}) AND p.units < 0 {kind if besides else ""}
    ORDER BY p.entry_seq, p.idx
), received AS MATERIALIZED (
    SELECT o.seq AS seq, o.account AS account, r.asset AS asset, substr(min(r.ts), 1, 10) AS day,
           min(r.ts) AS ts, count(*) AS postings, max(r.units) AS units, sum(r.units) AS total
    FROM origin o JOIN postings r ON r.entry_seq = o.seq
    WHERE r.account_id IN ({into_ids}) AND r.units > 0 GROUP BY o.seq, o.account, r.asset
), valued AS MATERIALIZED (
    SELECT x.seq, x.ts, x.account, x.asset, v.state, v.price_currency AS currency, v.usd, v.kzt, v.reason,
           coalesce(x.postings = 1 AND v.units = CAST(x.units AS TEXT), FALSE) AS matched
    FROM received x LEFT JOIN valuations v ON v.entry_seq = x.seq AND v.asset = x.asset
     AND v.revision = (SELECT max(revision) FROM valuations w WHERE w.entry_seq = x.seq AND w.asset = x.asset)
)
"""


async def credit_rows(
    register: Register, credited_ids: str, into_ids: str, besides: Sequence[str], params: Sequence[Any]
) -> list[tuple]:
    """The rows period.credits reads, from three queries over the same CTEs."""
    ctes = _ctes(credited_ids, into_ids, besides)
    days = await register._all(
        ctes + "SELECT 'day', account, asset, day, count(*), 0, sum(total), NULL, NULL, NULL "
        "FROM received GROUP BY account, asset, day",
        params,
    )
    sums = await register._all(
        ctes + "SELECT 'sum', account, asset, state, currency, count(*), min(seq), "
        "(array_agg(reason ORDER BY seq))[1], string_agg(usd, ' '), string_agg(kzt, ' ') "
        "FROM valued WHERE matched GROUP BY account, asset, state, currency",
        params,
    )
    ones = await register._all(
        ctes + "SELECT 'one', account, asset, seq, ts, NULL, NULL, NULL, NULL, NULL FROM valued WHERE NOT matched",
        params,
    )
    return days + sums + ones
