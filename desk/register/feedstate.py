"""What the sync keeps about its feeds, so a restarted desk (and another process) knows it too:

- sync state: each feed's last poll, whether it succeeded, how far it has synced, its state
  and reason (what the screen shows when another process syncs this register);
- host blocks: a host that banned desk (HTTP 418) or asked it to wait (429 with a retry
  time) and until when; a new process honours them instead of asking again and extending
  the ban;
- pool days: each pool's hashrate per UTC day (in H/s, exact, with where it was read) and
  the days it reported nothing (a zero earning is recorded here, not as a zero posting);
- refused rows: rows of a feed's answers that broke a rule, retried on later polls and
  shown until one parses (resolved) or an operator acknowledges it (a chained action);
- marks in `meta`: how far a source's price history reaches (desk/sync/history.py).

These are observations of the sources, like the quotes table, not figures of the book; the
book's entries never depend on them. Functions here take the Register and are reached
through its thin public methods.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from desk.register import actions
from desk.register.entries import format_ts, parse_ts
from desk.register.errors import EntryRejected, NotFound
from desk.register.text import MAX_TEXT, check_text

if TYPE_CHECKING:
    from desk.register.register import Register


@dataclass(frozen=True, slots=True)
class HostBlock:
    """`host` (scheme://host:port) is not to be asked before `until`."""

    host: str
    until: datetime
    kind: str  # ban | rate_limit
    reason: str


@dataclass(frozen=True, slots=True)
class PoolDay:
    """A pool's hashrate for one day (H/s), how good a figure it is and where it came from."""

    pool: str
    day: date
    hashrate_hs: Decimal | None
    basis: str | None  # day | snapshot
    source: str | None
    quiet: int = 0  # rows of zero the pool reported for the day


@dataclass(frozen=True, slots=True)
class NewRefusal:
    """A row refused in one poll: `row_key` names it across polls."""

    row_key: str
    kind: str
    day: date
    place: str
    reason: str


@dataclass(frozen=True, slots=True)
class RefusedRow:
    id: int
    feed: str
    row_key: str
    kind: str
    day: date
    place: str
    reason: str
    first_seen: datetime
    last_seen: datetime
    times: int
    state: str  # open | resolved | acknowledged
    settled_at: datetime | None
    settled_by: str | None
    note: str | None


_REFUSAL_COLUMNS = (
    "id, feed, row_key, kind, day, place, reason, first_seen, last_seen, times, state, settled_at, settled_by, note"
)


# ---------------------------------------------------------------------- sync state


async def record_sync(
    register: Register,
    feed: str,
    *,
    at: datetime,
    ok: bool,
    written: int,
    state: str,
    reason: str | None,
    synced_through: date | None,
) -> None:
    async with register._db.write():
        await register._db.execute(
            "INSERT INTO sync_state (feed, last_attempt, last_ok, synced_through, written, state, reason) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(feed) DO UPDATE SET last_attempt = excluded.last_attempt, "
            "last_ok = COALESCE(excluded.last_ok, sync_state.last_ok), "
            "synced_through = COALESCE(excluded.synced_through, sync_state.synced_through), "
            "written = sync_state.written + excluded.written, state = excluded.state, reason = excluded.reason",
            (
                feed,
                format_ts(at),
                format_ts(at) if ok else None,
                synced_through.isoformat() if synced_through else None,
                written,
                state,
                reason,
            ),
        )


async def sync_state(register: Register) -> dict[str, dict[str, Any]]:
    rows = await register._all(
        "SELECT feed, last_attempt, last_ok, synced_through, written, state, reason FROM sync_state ORDER BY feed"
    )
    return {
        r[0]: {
            "last_attempt": parse_ts(r[1]),
            "last_ok": parse_ts(r[2]) if r[2] else None,
            "synced_through": date.fromisoformat(r[3]) if r[3] else None,
            "written": r[4],
            "state": r[5],
            "reason": r[6],
        }
        for r in rows
    }


# ---------------------------------------------------------------------- meta marks


async def meta_value(register: Register, key: str) -> str | None:
    row = await register._one("SELECT value FROM meta WHERE key = ?", (key,))
    return str(row[0]) if row else None


async def set_meta(register: Register, key: str, value: str) -> None:
    async with register.transaction() as tx:
        await tx.set_mark(key, value)


# ---------------------------------------------------------------------- host blocks


async def block_host(register: Register, host: str, until: datetime, kind: str, reason: str) -> None:
    async with register._db.write():
        await register._db.execute(
            "INSERT INTO host_blocks (host, until, kind, reason, recorded_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(host) DO UPDATE SET until = excluded.until, kind = excluded.kind, "
            "reason = excluded.reason, recorded_at = excluded.recorded_at",
            (host, format_ts(until), kind, reason[:MAX_TEXT], format_ts(register._clock())),
        )


async def host_blocks(register: Register, now: datetime) -> list[HostBlock]:
    rows = await register._all(
        "SELECT host, until, kind, reason FROM host_blocks WHERE until > ? ORDER BY host", (format_ts(now),)
    )
    return [HostBlock(host, parse_ts(until), kind, reason) for host, until, kind, reason in rows]


# ---------------------------------------------------------------------- pool days


async def record_pool_days(
    register: Register,
    pool: str,
    hashrates: Iterable[tuple[date, Decimal, str, str]],
    quiet: dict[date, int],
) -> None:
    """Keep `(day, H/s, basis, source)` figures (a `day` figure is never replaced by a
    `snapshot`; a later figure of the same basis replaces an earlier one) and the days with
    `quiet[day]` rows of zero."""
    now = format_ts(register._clock())
    figures = [
        (pool, d.isoformat(), format(hs, "f"), basis, source[:MAX_TEXT], now) for d, hs, basis, source in hashrates
    ]
    quiet_rows = [(pool, d.isoformat(), n, now) for d, n in quiet.items() if n]
    if not figures and not quiet_rows:
        return
    async with register._db.write():
        await register._db.executemany(
            "INSERT INTO pool_days (pool, day, hashrate_hs, basis, source, recorded_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(pool, day) DO UPDATE SET hashrate_hs = excluded.hashrate_hs, basis = excluded.basis, "
            "source = excluded.source, recorded_at = excluded.recorded_at "
            "WHERE excluded.basis = 'day' OR pool_days.basis IS NOT 'day'",
            figures,
        )
        await register._db.executemany(
            "INSERT INTO pool_days (pool, day, quiet, recorded_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(pool, day) DO UPDATE SET quiet = MAX(pool_days.quiet, excluded.quiet)",
            quiet_rows,
        )


async def pool_days(register: Register, since: date, until: date) -> list[PoolDay]:
    """Every pool's recorded days in [since, until], by day then pool."""
    rows = await register._all(
        "SELECT pool, day, hashrate_hs, basis, source, quiet FROM pool_days WHERE day >= ? AND day <= ? "
        "ORDER BY day, pool",
        (since.isoformat(), until.isoformat()),
    )
    return [
        PoolDay(pool, date.fromisoformat(day), Decimal(hs) if hs is not None else None, basis, source, quiet)
        for pool, day, hs, basis, source, quiet in rows
    ]


# ---------------------------------------------------------------------- refused rows


def _refused(row: Sequence) -> RefusedRow:
    return RefusedRow(
        id=row[0],
        feed=row[1],
        row_key=row[2],
        kind=row[3],
        day=date.fromisoformat(row[4]),
        place=row[5],
        reason=row[6],
        first_seen=parse_ts(row[7]),
        last_seen=parse_ts(row[8]),
        times=row[9],
        state=row[10],
        settled_at=parse_ts(row[11]) if row[11] else None,
        settled_by=row[12],
        note=row[13],
    )


async def record_refusals(
    register: Register, feed: str, refused: Sequence[NewRefusal], since: date, until: date
) -> list[RefusedRow]:
    """One good read of `feed`'s window [since, until]: note the rows it refused (a row seen
    before keeps its state and counts one more sighting), mark resolved the open refusals
    of that window it did not refuse again (the row parsed, or the pool no longer sends
    it), and return the feed's refusals still open."""
    now = format_ts(register._clock())
    keys = {r.row_key for r in refused}
    async with register._db.write():
        await register._db.executemany(
            "INSERT INTO feed_refusals (feed, row_key, kind, day, place, reason, first_seen, last_seen, times, state) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 'open') ON CONFLICT(feed, row_key) DO UPDATE SET "
            "place = excluded.place, reason = excluded.reason, last_seen = excluded.last_seen, "
            "times = feed_refusals.times + 1",
            [
                (feed, r.row_key, r.kind, r.day.isoformat(), r.place[:MAX_TEXT], r.reason[:MAX_TEXT], now, now)
                for r in refused
            ],
        )
        open_in_window = await register._all(
            "SELECT id, row_key FROM feed_refusals WHERE state = 'open' AND feed = ? AND day >= ? AND day <= ?",
            (feed, since.isoformat(), until.isoformat()),
        )
        gone = [(now, refusal_id) for refusal_id, key in open_in_window if key not in keys]
        await register._db.executemany("UPDATE feed_refusals SET state = 'resolved', settled_at = ? WHERE id = ?", gone)
    return await refusals(register, feed=feed)


async def refusals(register: Register, *, feed: str | None = None, state: str = "open") -> list[RefusedRow]:
    """Refused rows in `state` (of one feed, or of all), oldest day first."""
    sql = f"SELECT {_REFUSAL_COLUMNS} FROM feed_refusals WHERE state = ?"
    params: list[object] = [state]
    if feed is not None:
        sql += " AND feed = ?"
        params.append(feed)
    return [_refused(r) for r in await register._all(sql + " ORDER BY day, id", params)]


async def acknowledge_refusal(register: Register, refusal_id: int, note: str) -> int:
    """This operator accepts that an open refused row will not be written (the pool will
    not correct it): it is no longer retried or shown. Recorded as a chained action;
    returns its seq."""
    note = check_text(note.strip(), "note")
    async with register._db.write():
        await register.controls.authorize(register, "approve")
        row = await register._one(f"SELECT {_REFUSAL_COLUMNS} FROM feed_refusals WHERE id = ?", (refusal_id,))
        if row is None:
            raise NotFound(f"no refused row {refusal_id}")
        refused = _refused(row)
        if refused.state != "open":
            raise EntryRejected(f"refused row {refusal_id} is already {refused.state}", field="refusal")
        detail = {
            "feed": refused.feed,
            "row": refused.row_key,
            "place": refused.place,
            "reason": refused.reason,
            "note": note,
        }
        seq = await actions.record(register, "acknowledge_refusal", detail=detail)
        await register._db.execute(
            "UPDATE feed_refusals SET state = 'acknowledged', settled_at = ?, settled_by = ?, note = ? WHERE id = ?",
            (format_ts(register._clock()), register.operator, note or None, refusal_id),
        )
    return seq
