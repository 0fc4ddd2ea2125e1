"""A register written by every earlier schema version opens under this desk, data intact."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from desk.config import DeskSettings
from desk.register import Register, RegisterUnavailable
from desk.register.schema import MIGRATIONS, SCHEMA_VERSION, run
from tests.register.conftest import earning, payout


def build_at(path: Path, version: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for steps in MIGRATIONS[:version]:
        for step in steps:
            run(conn, step)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.close()
    path.chmod(0o600)  # as desk creates it


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
async def test_every_earlier_version_migrates_with_its_entries(
    tmp_path: Path, settings: DeskSettings, version: int
) -> None:
    path = tmp_path / "old.sqlite"
    build_at(path, version)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    conn.close()
    async with Register.open(path, operator="aliya") as reg:
        await reg.init_accounts(settings)
        await reg.ingest([earning(i) for i in range(5)])
        assert (await reg.verify()).ok
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


async def test_a_register_from_a_newer_desk_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    build_at(path, SCHEMA_VERSION)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(RegisterUnavailable, match="newer than this desk"):
        async with Register.open(path, operator="aliya"):
            pass


async def test_a_file_that_is_not_a_register_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not sqlite at all" * 100)
    path.chmod(0o600)
    with pytest.raises(RegisterUnavailable, match="not a desk register"):
        async with Register.open(path, operator="aliya"):
            pass


def _old_desk_book(path: Path) -> dict[str, str]:
    """A register as desk wrote it at schema 5 (before drafts, policy proposals and quotes
    were chained): drafts approved, pending and rejected with their state in the row, a
    policy change approved, quotes unchained. Written row by row as that desk did; returns
    the hashes that must not change."""
    from desk.register.canonical import GENESIS, chain_hash
    from desk.register.chain import action_payload
    from desk.register.ledger import Signatures, build_rows
    from tests.register.conftest import T0, transfer

    build_at(path, 5)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("INSERT INTO assets VALUES ('BTC', 8)")
    paths = ["income:mining:f2main", "assets:pool:f2main", "assets:wallet:ops", "assets:reserve:cold"]
    conn.executemany("INSERT INTO accounts (path, kind) VALUES (?, 'x')", [(p,) for p in paths])
    ids = {p: i for i, p in conn.execute("SELECT id, path FROM accounts")}
    actions: list[tuple] = []

    def act(action: str, draft_id: int | None, entry_seq: int | None, detail: dict) -> None:
        prev = actions[-1][-1] if actions else GENESIS
        row = (len(actions) + 1, "2026-11-03T00:00:00.000000Z", "aliya" if action != "approve" else "bolat",
               action, draft_id, entry_seq, json.dumps(detail, sort_keys=True, separators=(",", ":")))  # fmt: skip
        actions.append((*row, prev, chain_hash(prev, action_payload(row))))

    def old_body(amount: str) -> str:
        e = transfer(amount)
        return json.dumps(
            {"kind": e.kind, "ts": "2026-11-02T00:00:00.000000Z", "memo": e.memo, "reference": None, "price": None,
             "reverses": None, "postings": [[p.account, "BTC", str(p.amount.units)] for p in e.postings]},
            sort_keys=True, separators=(",", ":"),
        )  # fmt: skip

    feed = [earning(1, "3"), payout(1, "2", tx="aa" * 32)]
    rows = build_rows(feed, head_seq=0, head_hash=GENESIS, account_ids=ids, signatures=Signatures())
    approved = replace(transfer("1"), ts=T0 + timedelta(days=1))
    signed = build_rows(
        [approved], head_seq=2, head_hash=rows.head_hash, account_ids=ids,
        signatures=Signatures("aliya", "bolat", "2026-11-03T00:00:00.000000Z"),
    )  # fmt: skip
    for part in (rows, signed):
        conn.executemany(f"INSERT INTO entries VALUES ({','.join('?' * 15)}, ?)", part.entries)
        conn.executemany("INSERT INTO postings VALUES (?,?,?,?,?,?)", part.postings)
    sums: dict = {}
    for part in (rows, signed):
        for key, units in part.daily_deltas.items():
            sums[key] = sums.get(key, 0) + units
    conn.executemany("INSERT INTO daily VALUES (?,?,?,?)", [(*k, u) for k, u in sums.items()])
    totals: dict = {}
    for (a, s, _d), u in sums.items():
        totals[(a, s)] = totals.get((a, s), 0) + u
    conn.executemany("INSERT INTO balances VALUES (?,?,?)", [(*k, u) for k, u in totals.items()])
    conn.execute("UPDATE meta SET value = 3 WHERE key = 'entry_count'")
    for draft_id, (amount, state) in enumerate((("1", "approved"), ("0.5", "pending"), ("0.2", "rejected")), 1):
        body = old_body(amount)
        conn.execute(
            "INSERT INTO drafts (id, created_at, drafted_by, body, state, entry_seq) VALUES (?, ?, 'aliya', ?, ?, ?)",
            (draft_id, "2026-11-03T00:00:00.000000Z", body, state, 3 if state == "approved" else None),
        )
        act("draft", draft_id, None, json.loads(body))
    act("approve", 1, 3, {})
    act("reject", 3, None, {"reason": "no"})
    change = {"op": "limit_set", "per": "day", "asset": "BTC", "below": "5"}
    conn.execute(
        "INSERT INTO policy_proposals (id, created_at, proposed_by, body, state) "
        "VALUES (1, '2026-11-03T00:00:00.000000Z', 'aliya', ?, 'pending')",
        (json.dumps(change, sort_keys=True, separators=(",", ":")),),
    )
    act("policy_propose", None, None, {"proposal": 1, "change": change})
    conn.executemany("INSERT INTO actions VALUES (?,?,?,?,?,?,?,?,?)", actions)
    conn.executemany(
        "INSERT INTO quotes VALUES (?, 'BTC', 'USD', ?, ?, ?)",
        [("kraken", f"2026-11-0{d}T00:00:00.000000Z", "97000", f"2026-11-0{d}T00:00:01.000000Z") for d in (1, 2)],
    )
    conn.close()
    return {"entries": signed.head_hash, "actions": actions[-1][-1]}


async def test_drafts_proposals_and_quotes_from_schema_5_migrate_verify_and_keep_their_hashes(
    tmp_path: Path, settings: DeskSettings
) -> None:
    from desk.controls import proposals

    path = tmp_path / "old.sqlite"
    heads = _old_desk_book(path)
    async with Register.open(path, operator="bolat") as reg:
        result = await reg.verify()
        assert result.ok, result.problems
        assert (await reg.head())[1] == heads["entries"] and result.head_hash == heads["entries"]
        assert (await reg.actions(1))[0]["seq"] == 6 and result.quotes == 2
        assert [a["detail"].get("hash") for a in await reg.actions(6)] == [None] * 6
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT hash FROM actions WHERE seq = 6").fetchone()[0] == heads["actions"]
        conn.close()
        assert [(d.id, d.state) for d in await reg.drafts("pending")] == [(2, "pending")]
        assert [(d.id, d.entry_seq, d.decided_by) for d in await reg.drafts("approved")] == [(1, 3, "bolat")]
        assert [(d.id, d.reason) for d in await reg.drafts("rejected")] == [(3, "no")]
        assert [p.id for p in await proposals.proposals(reg)] == [1]
        assert await reg.approve(2) == 4
        await proposals.approve(reg, 1)
        assert (await reg.verify()).ok
