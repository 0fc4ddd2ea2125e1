"""Copying a whole register into an empty one, on the same backend or another (`desk migrate`).

The copy is row for row, not a replay: every entry, posting and action keeps its seq, time,
signatures and stored hashes byte for byte, so the target's chains end at exactly the
source's heads, and `desk verify` on the target — run here against a checkpoint of the
source's heads — proves it. Replaying through `post`/`approve` would re-sign and re-time
everything and end at a different head.

Every table is copied, the derived ones too (balances, daily deltas, FIFO lots): verify
recomputes them on arrival, so a bad copy of a derived table is caught, not trusted.

Safety:
- the source is read in one read transaction: a `desk sync` writing meanwhile changes
  nothing the copy sees, and the heads checked on arrival are the heads it copied;
- the target is written in one write transaction that first checks the target is empty:
  a failure anywhere (a refused row, a full disk, a dropped server) rolls it all back and
  leaves the target as it was — an empty register — so the same command can simply be run
  again;
- tables are read a keyset page (`batch` rows) at a time, so memory stays bounded however
  big the register is.

COPIED lists every table with its columns in the order they are copied (a table is copied
after those it refers to); tests/register/test_copying.py holds it against the schema, so a
migration that adds a table or a column fails there until it is listed here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from desk.register import units
from desk.register.canonical import GENESIS
from desk.register.chain import Checkpoint, Head
from desk.register.errors import RegisterError

if TYPE_CHECKING:
    from desk.register.register import Register
    from desk.register.verify import VerifyResult

#: Rows read and written at a time (a parameter of the copy; tests cross its boundaries).
BATCH = 5_000

#: Called as (table, rows copied of it, rows it has) while the copy runs.
CopyProgress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[str, ...]
    #: the columns that order it and page through it (a primary key or a unique index)
    key: tuple[str, ...]
    #: which rows are the register's (a condition on them), when not all are
    only: str = "TRUE"


def _table(name: str, columns: str, key: str, only: str = "TRUE") -> Table:
    return Table(name, tuple(columns.split()), tuple(key.split()), only)


COPIED: tuple[Table, ...] = (
    _table("assets", "code precision", "code"),
    _table("accounts", "id path kind", "id"),
    _table(
        "entries",
        "seq ts kind memo reference source external_id status price reverses drafted_by approved_by approved_at "
        "prev_hash hash details",
        "seq",
    ),
    _table("postings", "entry_seq idx account_id asset units ts", "entry_seq idx"),
    _table("balances", "account_id asset units", "account_id asset"),
    _table("daily", "account_id asset day units", "account_id asset day"),
    _table("refs", "ref entry_seq", "ref entry_seq"),
    _table("actions", "seq ts operator action draft_id entry_seq detail prev_hash hash", "seq"),
    _table("entry_state", "entry_seq status reference action_seq", "entry_seq"),
    _table("drafts", "id drafted_by body", "id"),
    _table("policy_proposals", "id proposed_by body", "id"),
    _table("quotes", "source base quote source_time price received_time n prev_hash hash", "n"),
    _table("sync_state", "feed last_attempt last_ok synced_through written state reason", "feed"),
    _table(
        "valuations",
        "id entry_seq asset units revision state cause price price_currency source source_time usd kzt kzt_rate "
        "kzt_rate_date kzt_rate_source reason valued_at action_seq",
        "id",
    ),
    _table("host_blocks", "host until kind reason recorded_at", "host"),
    _table("pool_days", "pool day hashrate_hs basis source quiet recorded_at", "pool day"),
    _table(
        "feed_refusals",
        "id feed row_key kind day place reason first_seen last_seen times state settled_at settled_by note",
        "id",
    ),
    _table(
        "lots",
        "id account_id asset pos units source entry_seq cost_usd cost_kzt basis usdt_priced placed_seq taken_seq",
        "id",
    ),
    _table(
        "lot_days",
        "account_id asset source cost_known day units cost_usd cost_kzt",
        "account_id asset source cost_known day",
    ),
    _table("transfer_states", "action_seq draft_id state txid confirmations entry_seq detail", "action_seq"),
    # last: the register's own counters and marks, which a new register already holds with
    # their starting values (entry_count 0, ...), replaced key by key; a backend's own marks
    # (PostgreSQL's schema_version) stay each backend's
    _table("meta", "key value", "key", "key NOT IN ('schema_version')"),
)


class TargetNotEmpty(RegisterError):
    """`desk migrate` copies into an empty register only: it never merges two books."""


class CopyMismatch(RegisterError):
    """The target, read back after the copy, is not the source: nothing was kept."""


@dataclass(slots=True)
class CopyReport:
    """What was copied: rows per table, the heads the source and the target end at, and
    the target's verify result."""

    rows: dict[str, int] = field(default_factory=dict)
    heads: Checkpoint | None = None
    verified: VerifyResult | None = None

    @property
    def entries(self) -> int:
        return self.rows.get("entries", 0)


async def copy_register(
    source: Register, target: Register, *, batch: int = BATCH, progress: CopyProgress | None = None
) -> CopyReport:
    """Copy every row of `source` into the empty `target` in one write transaction, then
    verify the target against the source's heads. Raises TargetNotEmpty (nothing written)
    or CopyMismatch / any error of the copy (rolled back: the target stays empty)."""
    if batch < 1:
        raise ValueError("the batch size of a copy is at least one row")
    report = CopyReport()
    async with _read_snapshot(source), target.transaction():
        await _refuse_non_empty(target)
        totals = {table.name: await _count(source, table) for table in COPIED}
        report.heads = await _heads(source)
        for table in COPIED:
            copied = 0
            async for rows in _pages(source, table, batch):
                await _insert(target, table, rows)
                copied += len(rows)
                if progress is not None:
                    progress(table.name, copied, totals[table.name])
            report.rows[table.name] = copied
        await _continue_ids(target)
        arrived = await _heads(target)
        if (arrived.seq, arrived.head_hash, arrived.actions, arrived.quotes) != (
            report.heads.seq,
            report.heads.head_hash,
            report.heads.actions,
            report.heads.quotes,
        ):
            raise CopyMismatch(f"the copy ends at {arrived}, the source at {report.heads}; nothing was kept")
    report.verified = await target.verify(against=report.heads if report.heads.seq else None)
    return report


async def _refuse_non_empty(target: Register) -> None:
    held = []
    for table in COPIED:
        if table.name != "meta" and await target._one(f"SELECT 1 FROM {table.name} LIMIT 1"):
            held.append(table.name)
    if held:
        raise TargetNotEmpty(
            f"the target register is not empty (it holds {', '.join(held)}); desk migrate copies into a new, "
            "empty register only — nothing was written. Point --to at a new file or an empty database "
            "(one `desk init` has not been run on)"
        )


async def _count(register: Register, table: Table) -> int:
    row = await register._one(f"SELECT count(*) FROM {table.name} WHERE {table.only}")
    return int(row[0]) if row else 0


async def _pages(register: Register, table: Table, batch: int) -> AsyncIterator[list[tuple[Any, ...]]]:
    """`table`'s rows in key order, `batch` at a time (keyset: each page starts after the
    last key of the one before, so a page costs the same deep in a big table)."""
    columns = ", ".join(table.columns)
    order = ", ".join(table.key)
    where_key = f"({order}) > ({', '.join('?' * len(table.key))})" if len(table.key) > 1 else f"{order} > ?"
    positions = [table.columns.index(k) for k in table.key]
    after: Sequence[Any] | None = None
    while True:
        if after is None:
            sql = f"SELECT {columns} FROM {table.name} WHERE {table.only} ORDER BY {order} LIMIT ?"
            rows = await register._all(sql, (batch,))
        else:
            sql = f"SELECT {columns} FROM {table.name} WHERE {table.only} AND {where_key} ORDER BY {order} LIMIT ?"
            rows = await register._all(sql, (*after, batch))
        if not rows:
            return
        yield [tuple(row) for row in rows]
        if len(rows) < batch:
            return
        after = [rows[-1][p] for p in positions]


async def _insert(register: Register, table: Table, rows: list[tuple[Any, ...]]) -> None:
    columns = ", ".join(table.columns)
    marks = ", ".join("?" * len(table.columns))
    sql = f"INSERT INTO {table.name} ({columns}) VALUES ({marks})"
    if table.name == "meta":
        sql += " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    if register._db.dialect == "sqlite":
        rows = _for_sqlite(table, rows)
    await register._db.executemany(sql, rows)


def _for_sqlite(table: Table, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows as the SQLite backend itself writes them, whichever backend they come from:
    units as INTEGER when they fit 63 bits and as exact TEXT when not (units.py), the meta
    counters as INTEGER (PostgreSQL keeps meta as text)."""
    if "units" in table.columns and table.name != "valuations":  # valuations keep units as TEXT on both
        at = table.columns.index("units")
        return [(*row[:at], units.to_db(units.from_db(row[at])), *row[at + 1 :]) for row in rows]
    if table.name == "meta":
        return [(key, _counter(value)) for key, value in rows]
    return rows


def _counter(value: Any) -> Any:
    """An integer kept as text (PostgreSQL's meta) as the INTEGER SQLite's meta holds."""
    if isinstance(value, str) and value.lstrip("-").isdigit() and str(int(value)) == value:
        return int(value)
    return value


async def _continue_ids(register: Register) -> None:
    """PostgreSQL: move each identity sequence past the ids the copy brought, or the next
    account, draft or valuation added would be given an id already taken. (SQLite takes the
    next rowid from the table itself.)"""
    if register._db.dialect != "postgres":
        return
    for table in COPIED:
        if table.columns[0] == "id":
            await register._db.execute(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE(MAX(id), 0) + 1, false) FROM {table.name}"
            )


async def _heads(register: Register) -> Checkpoint:
    """The heads of the three chains as a checkpoint (recorded nowhere: the copy writes
    nothing to its source), which verify on the target is run against."""
    seq, digest = await register.head()
    return Checkpoint(
        seq,
        digest,
        "copy",
        register.operator,
        actions=await _head(register, "SELECT seq, hash FROM actions ORDER BY seq DESC LIMIT 1"),
        quotes=await _head(register, "SELECT n, hash FROM quotes WHERE n IS NOT NULL ORDER BY n DESC LIMIT 1"),
    )


async def _head(register: Register, sql: str) -> Head:
    row = await register._one(sql)
    return (row[0], row[1]) if row else (0, GENESIS)


@asynccontextmanager
async def _read_snapshot(register: Register) -> AsyncIterator[None]:
    """One read transaction on `register`: every read inside sees the register as it was at
    the first, whatever other connections commit meanwhile (SQLite in WAL mode; PostgreSQL's
    REPEATABLE READ)."""
    begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" if register._db.dialect == "postgres" else "BEGIN"
    await register._db.execute(begin)
    try:
        yield
    finally:
        await register._db.execute("ROLLBACK")
