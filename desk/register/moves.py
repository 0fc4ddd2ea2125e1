"""What a window of the register did to a few accounts, read in one pass: for each entry that
posts to any of them, its identity (seq, time, kind, memo, feed id, current reference) and
its net units per (account, asset) among them.

Reconciliation compares each pool's records with the register's entries on that pool's two
accounts, over a month and more; reading those entries whole (every posting, every column,
an Amount per posting) cost seconds where these few columns cost a fraction of one. The rows
come straight off the postings' (account, time) index, so the cost follows the window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from desk.register.entries import format_ts, parse_ts
from desk.register.units import from_db

if TYPE_CHECKING:
    from desk.register.register import Register


@dataclass(slots=True)
class Move:
    """One entry as it bears on the accounts asked about: `units` is its net posting per
    (account, asset) among them, in the asset's smallest units. Not frozen: a window holds
    a hundred thousand of them, and a frozen dataclass is five times slower to make."""

    seq: int
    ts: datetime
    kind: str
    memo: str
    source: str | None
    external_id: str | None
    reference: str | None
    units: dict[tuple[str, str], int]


async def moves(register: Register, accounts: Sequence[str], since: datetime, until: datetime) -> list[Move]:
    """Each entry dated in [since, until) posting to one of `accounts` (unknown ones post
    nothing), in (time, seq) order."""
    ids = {register._account_ids[a]: a for a in accounts if a in register._account_ids}
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = await register._all(
        "SELECT e.seq, e.ts, e.kind, e.memo, e.source, e.external_id, COALESCE(s.reference, e.reference), "
        "p.account_id, p.asset, p.units FROM postings p JOIN entries e ON e.seq = p.entry_seq "
        "LEFT JOIN entry_state s ON s.entry_seq = e.seq "
        f"WHERE p.account_id IN ({marks}) AND p.ts >= ? AND p.ts < ? ORDER BY p.ts, p.entry_seq",
        [*ids, format_ts(since), format_ts(until)],
    )
    found: list[Move] = []
    last: Move | None = None
    for seq, ts, kind, memo, source, external_id, reference, account_id, asset, units in rows:
        if last is None or last.seq != seq:
            last = Move(seq, parse_ts(ts), kind, memo, source, external_id, reference, {})
            found.append(last)
        key = (ids[account_id], asset)
        last.units[key] = last.units.get(key, 0) + from_db(units)
    return found
