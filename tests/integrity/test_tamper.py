"""The tamper suite: each way of altering the file behind desk's back, and what catches it.

Every case edits a copy of a register that holds one of everything (feed entries, an
amendment, valuations, quotes, drafts approved, pending and rejected, policy proposals and a
recorded checkpoint) with the append-only triggers dropped, as an attacker with write access
to the file would. `caught` names the kind of mismatch plain `desk verify` reports; `AGAINST`
marks a forgery complete enough (every hash, sum and recorded checkpoint redone) that only a
checkpoint kept off the machine catches it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from desk.money import BTC
from desk.register import IntegrityError, Register, verify_file
from desk.register.canonical import chain_hash
from desk.register.chain import action_payload
from tests.integrity.conftest import Book, raw
from tests.integrity.forge import forge_everything, rebuild_sums, rechain_actions, rechain_entries

AGAINST = "against"
ONE_BTC = 10**BTC.precision


@dataclass(frozen=True)
class Case:
    name: str
    edit: Callable[[sqlite3.Connection, Book], None]
    caught: str


def _set(sql: str, *params: object) -> Callable[[sqlite3.Connection, Book], None]:
    def edit(conn: sqlite3.Connection, book: Book) -> None:
        conn.execute(sql, params)

    return edit


def _reorder(conn: sqlite3.Connection, book: Book) -> None:
    conn.execute("UPDATE entries SET ts = (SELECT ts FROM entries WHERE seq = 6) WHERE seq = 5")
    conn.execute("UPDATE entries SET seq = -5 WHERE seq = 5")
    conn.execute("UPDATE entries SET seq = 5 WHERE seq = 6")
    conn.execute("UPDATE entries SET seq = 6 WHERE seq = -5")


def _delete_entry(conn: sqlite3.Connection, book: Book) -> None:
    conn.execute("DELETE FROM postings WHERE entry_seq = 10")
    conn.execute("DELETE FROM entries WHERE seq = 10")


def _cut_tail(conn: sqlite3.Connection, book: Book) -> None:
    """The last entries cut off, the count, balances and daily deltas repaired."""
    conn.execute("DELETE FROM postings WHERE entry_seq > 16")
    conn.execute("DELETE FROM entries WHERE seq > 16")
    rebuild_sums(conn)


def _pending_draft_raised(conn: sqlite3.Connection, book: Book) -> None:
    """The issue's case: the row of a pending draft raised (within the wallet's funds)."""
    (body,) = conn.execute("SELECT body FROM drafts WHERE id = ?", (book.pending_draft,)).fetchone()
    raised = body.replace('"-25000000"', '"-70000000"').replace('"25000000"', '"70000000"')  # 0.25 -> 0.7 BTC
    conn.execute("UPDATE drafts SET body = ? WHERE id = ?", (raised, book.pending_draft))


def _posted_transfer_raised(conn: sqlite3.Connection, book: Book) -> None:
    """The approved transfer's amount raised, and every hash, sum and checkpoint redone."""
    conn.execute("UPDATE postings SET units = units * 4 WHERE entry_seq = ?", (book.transfer_seq,))
    rechain_entries(conn)
    rebuild_sums(conn)
    rechain_actions(conn)


def _forged_transfer(conn: sqlite3.Connection, book: Book) -> None:
    """A transfer into the reserve appended with a valid chain, no draft and no approval."""
    head, digest, ts = conn.execute("SELECT seq, hash, ts FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
    ids = dict(conn.execute("SELECT path, id FROM accounts"))
    conn.execute(
        "INSERT INTO entries (seq, ts, kind, memo, drafted_by, approved_by, approved_at, prev_hash, hash) "
        "VALUES (?, ?, 'transfer', 'x', 'aliya', 'bolat', ?, ?, '')",
        (head + 1, ts, ts, digest),
    )
    conn.executemany(
        "INSERT INTO postings (entry_seq, idx, account_id, asset, units, ts) VALUES (?, ?, ?, 'BTC', ?, ?)",
        [
            (head + 1, 0, ids["assets:wallet:ops"], -ONE_BTC // 10, ts),
            (head + 1, 1, ids["assets:reserve:cold"], ONE_BTC // 10, ts),
        ],
    )
    rechain_entries(conn)
    rebuild_sums(conn)


def _posting_moved_a_day(conn: sqlite3.Connection, book: Book) -> None:
    conn.execute("UPDATE postings SET ts = '2026-11-01T00:00:00.000000Z' WHERE entry_seq = 3 AND idx = 1")
    rebuild_sums(conn)


def _quote_outside_the_chain(conn: sqlite3.Connection, book: Book) -> None:
    conn.execute(
        "INSERT INTO quotes (source, base, quote, source_time, price, received_time) "
        "VALUES ('kraken', 'BTC', 'USD', '2026-11-02T01:00:00.000000Z', '1', '2026-11-02T01:00:00.000000Z')"
    )


def _valuation_and_its_action_rewritten(conn: sqlite3.Connection, book: Book) -> None:
    """A valuation's USD value changed in its row and in its chained action, rechained."""
    row = conn.execute("SELECT action_seq, usd FROM valuations ORDER BY id LIMIT 1").fetchone()
    conn.execute("UPDATE valuations SET usd = '1.00' WHERE action_seq = ?", (row[0],))
    (detail,) = conn.execute("SELECT detail FROM actions WHERE seq = ?", (row[0],)).fetchone()
    conn.execute(
        "UPDATE actions SET detail = ? WHERE seq = ?", (detail.replace(f'"usd":"{row[1]}"', '"usd":"1.00"'), row[0])
    )
    rechain_actions(conn)


def _quote_rewritten_and_rechained(conn: sqlite3.Connection, book: Book) -> None:
    conn.execute("UPDATE quotes SET price = '1' WHERE n = 3")
    forge_everything(conn)


def _entries_rewritten_and_rechained(conn: sqlite3.Connection, book: Book) -> None:
    conn.execute("UPDATE postings SET units = units * 2 WHERE entry_seq = 3")
    forge_everything(conn)


REASON_CHANGED = "UPDATE actions SET detail = '{\"reason\":\"ok\"}' WHERE action = 'reject'"
POOL_DAY_OFF = (
    f"UPDATE daily SET units = units + {ONE_BTC} WHERE day = '2026-11-02' "
    "AND account_id = (SELECT id FROM accounts WHERE path = 'assets:pool:f2main')"
)
THIRD_QUOTE = (
    "source = 'kraken' AND source_time = "
    "(SELECT source_time FROM quotes WHERE source = 'kraken' ORDER BY source_time LIMIT 1 OFFSET 2)"
)
LIMIT_RAISED = "UPDATE policy_proposals SET body = replace(body, '\"5\"', '\"500\"') WHERE id = 2"

CASES = [
    # caught before this work (the existing suite)
    Case("a memo changed", _set("UPDATE entries SET memo = 'x' WHERE seq = 7"), "entries"),
    Case("an amount changed", _set("UPDATE postings SET units = units + 1 WHERE entry_seq = 4 AND idx = 1"), "entries"),
    Case("an entry deleted", _delete_entry, "entries"),
    Case("two entries swapped", _reorder, "entries"),
    Case("an action's detail changed", _set(REASON_CHANGED), "actions"),
    Case("an action deleted", _set("DELETE FROM actions WHERE action = 'reject'"), "actions"),
    Case("a balance changed", _set("UPDATE balances SET units = units + 1"), "balances"),
    Case("the entry count changed", _set("UPDATE meta SET value = 3 WHERE key = 'entry_count'"), "entry-count"),
    # not caught before
    Case("a pending draft's amount raised in its row", _pending_draft_raised, "drafts"),
    Case("a draft deleted", _set("DELETE FROM drafts WHERE id = 3"), "drafts"),
    Case("an approved transfer raised, everything rechained", _posted_transfer_raised, "approvals"),
    Case("a transfer appended without maker-checker", _forged_transfer, "approvals"),
    Case("an amended entry's status reverted", _set("UPDATE entry_state SET status = 'queued'"), "entry-state"),
    Case("an amended entry's reference changed", _set("UPDATE entry_state SET reference = 'cc'"), "entry-state"),
    Case("a reference added to the search index", _set("INSERT INTO refs VALUES ('dd', 3)"), "refs"),
    Case("a day's delta off by 1 BTC", _set(POOL_DAY_OFF), "daily"),
    Case("a posting moved to another day", _posting_moved_a_day, "postings"),
    Case("a kept quote's price changed", _set(f"UPDATE quotes SET price = '1' WHERE {THIRD_QUOTE}"), "quotes"),
    Case("a kept quote deleted", _set(f"DELETE FROM quotes WHERE {THIRD_QUOTE}"), "quotes"),
    Case("a quote added outside the chain", _quote_outside_the_chain, "quotes"),
    Case("a valuation's value changed", _set("UPDATE valuations SET usd = '1.00' WHERE id = 2"), "valuations"),
    Case("a valuation deleted", _set("DELETE FROM valuations WHERE id = 2"), "valuations"),
    Case("a pending policy change rewritten in its row", _set(LIMIT_RAISED), "policy"),
    Case("a tail cut off with count and balances repaired", _cut_tail, "checkpoints"),
    # only a checkpoint kept off the machine catches these
    Case("entries rewritten, everything rechained", _entries_rewritten_and_rechained, AGAINST),
    Case("a quote rewritten, everything rechained", _quote_rewritten_and_rechained, AGAINST),
    Case("a valuation and its action rewritten, the log rechained", _valuation_and_its_action_rewritten, AGAINST),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_every_tampering_is_caught(book: Book, case: Case) -> None:
    with raw(book) as conn:
        case.edit(conn, book)
    plain = verify_file(book.settings.register)
    if case.caught == AGAINST:
        assert plain.ok, plain.problems
        result = verify_file(book.settings.register, book.checkpoint)
        assert not result.ok
        assert result.kinds == [AGAINST], result.problems
        assert "rewritten or reordered" in result.problems[0]
    else:
        assert not plain.ok, f"{case.name} passed plain verify"
        assert case.caught in plain.kinds, plain.problems


async def test_an_edited_draft_row_is_refused_at_approval_and_nothing_is_posted(book: Book) -> None:
    with raw(book) as conn:
        _pending_draft_raised(conn, book)
    async with Register.open(book.settings.register, operator="bolat") as checker:
        count = await checker.count()
        with pytest.raises(IntegrityError, match="differs from its chained draft action"):
            await checker.approve(book.pending_draft)
        assert await checker.count() == count
        shown = await checker.draft_by_id(book.pending_draft)
    # what the checker is shown is what was drafted, not the edited row
    assert [str(p.amount) for p in shown.entry.postings] == ["-0.25000000 BTC", "0.25000000 BTC"]


async def test_an_edited_draft_action_is_refused_at_approval(book: Book) -> None:
    with raw(book) as conn:
        conn.execute(
            "UPDATE actions SET detail = replace(replace(detail, '\"-25000000\"', '\"-70000000\"'), "
            "'\"25000000\"', '\"70000000\"') WHERE action = 'draft' AND draft_id = ?",
            (book.pending_draft,),
        )
    async with Register.open(book.settings.register, operator="bolat") as checker:
        with pytest.raises(IntegrityError, match="no longer matches the hash"):
            await checker.approve(book.pending_draft)


async def test_an_edited_policy_change_is_refused_at_approval(book: Book) -> None:
    from desk.controls import proposals

    with raw(book) as conn:
        conn.execute("UPDATE policy_proposals SET body = replace(body, '\"5\"', '\"500\"') WHERE id = ?", (2,))
    async with Register.open(book.settings.register, operator="bolat") as admin:
        with pytest.raises(IntegrityError, match="differs from its chained policy_propose action"):
            await proposals.approve(admin, book.pending_proposal)


async def test_a_checkpoint_beyond_a_broken_chain_is_not_called_a_truncation(book: Book) -> None:
    with raw(book) as conn:
        conn.execute("UPDATE entries SET memo = 'x' WHERE seq = 7")
    result = verify_file(book.settings.register, book.checkpoint)
    assert result.first_bad_seq == 7
    assert not any("truncated" in p for p in result.problems), result.problems
    assert any("could not be checked" in p and "broken at #7" in p for p in result.problems)


async def test_a_truncation_against_a_checkpoint_is_named(book: Book) -> None:
    with raw(book) as conn:
        _cut_tail(conn, book)
        # the recorded checkpoint removed too, and the log rechained: only the copy off the
        # machine still knows how far the register reached
        conn.execute("DELETE FROM actions WHERE action = 'checkpoint'")
        rechain_actions(conn)
    assert verify_file(book.settings.register).ok
    result = verify_file(book.settings.register, book.checkpoint)
    assert "the register was truncated" in result.problems[0]


async def test_each_kind_of_mismatch_is_reported_once_with_its_first_row(book: Book) -> None:
    with raw(book) as conn:
        conn.execute("UPDATE valuations SET usd = '1.00' WHERE id IN (2, 5, 7)")
        conn.execute("UPDATE quotes SET price = '1' WHERE n = 4")
    result = verify_file(book.settings.register)
    assert result.kinds == ["valuations", "quotes"]
    assert "valuation row 2 " in result.problems[0] and "(and 2 more like it)" in result.problems[0]


def test_the_fast_action_form_is_the_canonical_one() -> None:
    from desk.register.chain import action_body, action_hash

    detail = '{"after":{"reference":"ab"},"before":{"reference":null,"status":"queued"}}'
    row = (4, "2026-11-02T00:00:00.000000Z", "ali\u00e9", "amend", None, 9, detail, "0" * 64)
    digest = chain_hash(row[7], action_payload(row))
    assert action_hash((*row, digest)) == digest
    escaped = (*row[:6], '{"note":"caf\\u00e9"}', row[7])
    assert action_hash((*escaped, chain_hash(row[7], action_payload(escaped)))) == chain_hash(
        row[7], action_payload(escaped)
    )
    assert action_body(row).startswith('{"action":"amend","detail":{"after"')
