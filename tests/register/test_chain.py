"""Tampering with the file behind desk's back is detected, and checkpoints pin the past."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from desk.config import DeskSettings
from desk.register import Register
from desk.register.canonical import GENESIS, canonical_json, chain_hash, entry_body, entry_payload
from desk.register.chain import verify_file
from desk.register.units import from_db
from tests.register.conftest import earning, payout


async def filled(register: Register) -> Path:
    await register.ingest([earning(i) for i in range(20)] + [payout(i, "0.001", tx=f"{i:064x}") for i in range(5)])
    return register.path


def raw(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    return conn


async def test_a_clean_register_verifies_with_its_head(register: Register) -> None:
    await filled(register)
    result = await register.verify()
    assert result.ok and result.entries == 25
    assert result.head_hash == (await register.head())[1]


async def test_the_triggers_refuse_updates_and_deletes(register: Register) -> None:
    path = await filled(register)
    await register.checkpoint()  # so the actions log has a row to protect
    conn = sqlite3.connect(path)
    for sql in (
        "UPDATE entries SET memo = 'x' WHERE seq = 3",
        "DELETE FROM entries WHERE seq = 3",
        "UPDATE postings SET units = 1",
        "DELETE FROM actions",
    ):
        try:
            conn.execute(sql)
        except sqlite3.DatabaseError as exc:
            assert "append-only" in str(exc)
        else:
            raise AssertionError(f"{sql} was allowed")
    conn.close()


async def test_one_changed_byte_names_that_entry(register: Register) -> None:
    path = await filled(register)
    with raw(path) as conn:
        memo = conn.execute("SELECT memo FROM entries WHERE seq = 7").fetchone()[0]
        conn.execute("UPDATE entries SET memo = ? WHERE seq = 7", (memo[:-1] + "X",))
    result = verify_file(path)
    assert not result.ok and result.first_bad_seq == 7
    assert "entry #7" in result.problems[0]


async def test_a_changed_amount_is_detected(register: Register) -> None:
    path = await filled(register)
    with raw(path) as conn:
        conn.execute("UPDATE postings SET units = units + 1 WHERE entry_seq = 4 AND idx = 1")
    result = verify_file(path)
    assert result.first_bad_seq == 4


async def test_a_deleted_entry_is_detected(register: Register) -> None:
    path = await filled(register)
    with raw(path) as conn:
        conn.execute("DELETE FROM postings WHERE entry_seq = 10")
        conn.execute("DELETE FROM entries WHERE seq = 10")
    result = verify_file(path)
    assert result.first_bad_seq == 10 and "missing" in result.problems[0]


async def test_reordered_entries_are_detected(register: Register) -> None:
    path = await filled(register)
    with raw(path) as conn:
        conn.execute("UPDATE entries SET ts = (SELECT ts FROM entries WHERE seq = 6) WHERE seq = 5")
        conn.execute("UPDATE entries SET seq = -5 WHERE seq = 5")
        conn.execute("UPDATE entries SET seq = 5 WHERE seq = 6")
        conn.execute("UPDATE entries SET seq = 6 WHERE seq = -5")
    assert verify_file(path).first_bad_seq == 5


async def test_truncation_passes_plain_verify_but_not_a_checkpoint(register: Register) -> None:
    path = await filled(register)
    checkpoint = await register.checkpoint()
    with raw(path) as conn:
        conn.execute("DELETE FROM postings WHERE entry_seq > 20")
        conn.execute("DELETE FROM entries WHERE seq > 20")
        conn.execute("UPDATE meta SET value = 20 WHERE key = 'entry_count'")
        rebalance(conn)
    assert verify_file(path).ok
    against = verify_file(path, checkpoint)
    assert not against.ok and "truncated" in against.problems[-1]


async def test_a_full_rechain_passes_verify_but_fails_against_an_earlier_checkpoint(
    register: Register, settings: DeskSettings
) -> None:
    path = await filled(register)
    checkpoint = await register.checkpoint()
    with raw(path) as conn:
        conn.execute("UPDATE postings SET units = units * 2 WHERE entry_seq = 3")
        rechain(conn)
        rebalance(conn)
    assert verify_file(path).ok, verify_file(path).problems
    result = verify_file(path, checkpoint)
    assert not result.ok and "rewritten or reordered" in result.problems[-1]


def rechain(conn: sqlite3.Connection) -> None:
    """What a forger holding the file would do: recompute every hash."""
    accounts = dict(conn.execute("SELECT id, path FROM accounts"))
    prev = GENESIS
    for row in conn.execute("SELECT * FROM entries ORDER BY seq").fetchall():
        postings = [
            (accounts[a], s, from_db(u))
            for a, s, u in conn.execute(
                "SELECT account_id, asset, units FROM postings WHERE entry_seq = ? ORDER BY idx", (row[0],)
            )
        ]
        payload = entry_payload(
            seq=row[0],
            ts=row[1],
            kind=row[2],
            memo=row[3],
            reference=row[4],
            source=row[5],
            external_id=row[6],
            status=row[7],
            price=row[8],
            reverses=row[9],
            drafted_by=row[10],
            approved_by=row[11],
            approved_at=row[12],
            postings=postings,
        )
        digest = chain_hash(prev, payload)
        conn.execute("UPDATE entries SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, row[0]))
        prev = digest


def rebalance(conn: sqlite3.Connection) -> None:
    sums: dict = {}
    for a, s, u in conn.execute("SELECT account_id, asset, units FROM postings"):
        sums[(a, s)] = sums.get((a, s), 0) + from_db(u)
    conn.execute("DELETE FROM balances")
    conn.executemany("INSERT INTO balances VALUES (?, ?, ?)", [(a, s, str(u)) for (a, s), u in sums.items()])


@given(
    st.text(), st.one_of(st.none(), st.text()), st.one_of(st.none(), st.integers(0, 10**30)),
    st.lists(st.tuples(st.text(min_size=1), st.text(min_size=1), st.integers(-(10**40), 10**40)), max_size=4),
)
def test_the_fast_canonical_form_is_exactly_the_json_one(memo: str, reference, reverses, postings) -> None:
    fields = dict(seq=7, ts="2026-11-01T00:00:00.000000Z", kind="payout", memo=memo, reference=reference,
                  source="pool:x", external_id=None, status="queued", price=None, reverses=reverses,
                  drafted_by='a\u00e9"b\\', approved_by=None, approved_at=None, postings=postings)
    assert entry_body(**fields) == canonical_json(entry_payload(**fields))
