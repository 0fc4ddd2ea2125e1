"""A feed record that comes back changed: the register's answer to a pool that rewrites history.

`Register.ingest` writes a feed entry once per `(source, external_id)`. When the same record
arrives again, its status and reference may advance (a queued payout confirmed), but what it
moved may not: an earning of 50,000 sats that the pool now reports as 40,000 is a conflict
for a person, not a silent no-op. It is refused (`EntryRejected`, field "postings", naming
the feed, the record and both figures); the sync refuses that one record as a row of the
feed (desk/sync/writing.py) and writes the rest, and the reconciliation shows the pool's
figure against the register's (amount_mismatch).

The check reads the stored postings of the records met again in one query over the batch's
keys (the `batch_keys` table `posting._existing` fills), inside the writing transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING

from desk.money import Amount
from desk.register.entries import NewEntry
from desk.register.errors import EntryRejected
from desk.register.units import from_db

if TYPE_CHECKING:
    from desk.register.register import Register

Key = tuple[str, str]
#: (account, asset, units): what one posting moves
Move = tuple[str, str, int]


def moves_of(entry: NewEntry) -> Counter[Move]:
    return Counter((p.account, p.asset.code, p.amount.units) for p in entry.postings)


async def stored_moves(register: Register) -> dict[Key, Counter[Move]]:
    """The postings of every entry whose key is in `batch_keys`, per key."""
    rows = await register._all(
        "SELECT e.source, e.external_id, a.path, p.asset, p.units FROM batch_keys b "
        "JOIN entries e ON e.source = b.source AND e.external_id = b.external_id "
        "JOIN postings p ON p.entry_seq = e.seq JOIN accounts a ON a.id = p.account_id"
    )
    stored: dict[Key, Counter[Move]] = {}
    for source, external_id, account, asset, units in rows:
        stored.setdefault((source, external_id), Counter())[(account, asset, from_db(units))] += 1
    return stored


def _shown(register: Register, moves: Counter[Move]) -> str:
    if not moves:
        return "nothing"
    return ", ".join(
        f"{account} {Amount.from_units(register.asset(asset), units).format()} {asset}"
        for (account, asset, units) in sorted(moves.elements())
    )


async def refuse_changed(register: Register, met_again: Mapping[Key, NewEntry]) -> None:
    """Raise EntryRejected if any entry in `met_again` (keys already in the register) moves
    other amounts or accounts than the entry written under its key."""
    if not met_again:
        return
    stored = await stored_moves(register)
    for key, entry in met_again.items():
        before = stored.get(key, Counter())
        after = moves_of(entry)
        if before != after:
            source, external_id = key
            raise EntryRejected(
                f"{source} {external_id}: the feed now reports postings {_shown(register, after)}, but the register "
                f"holds {_shown(register, before)}; a written record's amounts never change (a pool that rewrites "
                "history needs a person: see `desk reconcile`)",
                field="postings",
            )
