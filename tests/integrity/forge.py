"""What a forger holding the file does after an edit so the chains hold again: recompute
every hash, the maintained sums, and the heads the recorded checkpoints pin. Only a
checkpoint kept off the machine catches a forgery this complete."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict

from desk.register.canonical import GENESIS, chain_hash, details_from_text, entry_body, hash_body
from desk.register.chain import action_payload
from desk.register.quotes import payload as quote_payload
from desk.register.units import from_db


def rechain_entries(conn: sqlite3.Connection) -> None:
    accounts = dict(conn.execute("SELECT id, path FROM accounts"))
    prev = GENESIS
    for row in conn.execute(
        "SELECT seq, ts, kind, memo, reference, source, external_id, status, price, reverses, drafted_by, "
        "approved_by, approved_at, details FROM entries ORDER BY seq"
    ).fetchall():
        postings = [
            (accounts[a], s, from_db(u))
            for a, s, u in conn.execute(
                "SELECT account_id, asset, units FROM postings WHERE entry_seq = ? ORDER BY idx", (row[0],)
            )
        ]
        body = entry_body(
            seq=row[0], ts=row[1], kind=row[2], memo=row[3], reference=row[4], source=row[5], external_id=row[6],
            status=row[7], price=row[8], reverses=row[9], drafted_by=row[10], approved_by=row[11],
            approved_at=row[12], postings=postings, details=details_from_text(row[13]),
        )  # fmt: skip
        digest = hash_body(prev, body)
        conn.execute("UPDATE entries SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, row[0]))
        prev = digest


def rebuild_sums(conn: sqlite3.Connection) -> None:
    """Balances, per-day deltas and the entry count, recomputed from what the file holds."""
    daily: dict[tuple, int] = defaultdict(int)
    for a, s, u, ts in conn.execute("SELECT account_id, asset, units, ts FROM postings"):
        daily[(a, s, ts[:10])] += from_db(u)
    sums: dict[tuple, int] = defaultdict(int)
    for (a, s, _), u in daily.items():
        sums[(a, s)] += u
    conn.execute("DELETE FROM daily")
    conn.executemany("INSERT INTO daily VALUES (?, ?, ?, ?)", [(*k, str(u)) for k, u in daily.items()])
    conn.execute("DELETE FROM balances")
    conn.executemany("INSERT INTO balances VALUES (?, ?, ?)", [(*k, str(u)) for k, u in sums.items()])
    (count,) = conn.execute("SELECT COUNT(*) FROM entries").fetchone()
    conn.execute("UPDATE meta SET value = ? WHERE key = 'entry_count'", (count,))


def rechain_quotes(conn: sqlite3.Connection) -> None:
    prev = GENESIS
    for n, *fields in conn.execute(
        "SELECT n, source, base, quote, source_time, price, received_time FROM quotes ORDER BY n"
    ).fetchall():
        digest = chain_hash(prev, quote_payload(n, fields))
        conn.execute("UPDATE quotes SET prev_hash = ?, hash = ? WHERE n = ?", (prev, digest, n))
        prev = digest


def rechain_actions(conn: sqlite3.Connection) -> None:
    """Every action hashed again, each recorded checkpoint first made to pin the heads as
    they now are."""
    prev = GENESIS
    for row in conn.execute(
        "SELECT seq, ts, operator, action, draft_id, entry_seq, detail FROM actions ORDER BY seq"
    ).fetchall():
        seq, detail = row[0], row[6]
        if row[3] == "checkpoint":
            pins = json.loads(detail)
            (pins["hash"],) = conn.execute("SELECT hash FROM entries WHERE seq = ?", (row[5],)).fetchone()
            if "actions" in pins:
                pins["actions"][1] = conn.execute(
                    "SELECT hash FROM actions WHERE seq = ?", (pins["actions"][0],)
                ).fetchone()[0]
                pins["quotes"][1] = conn.execute(
                    "SELECT hash FROM quotes WHERE n = ?", (pins["quotes"][0],)
                ).fetchone()[0]
            detail = json.dumps(pins, sort_keys=True, separators=(",", ":"))
        digest = chain_hash(prev, action_payload((*row[:6], detail)))
        conn.execute(
            "UPDATE actions SET detail = ?, prev_hash = ?, hash = ? WHERE seq = ?", (detail, prev, digest, seq)
        )
        prev = digest


def forge_everything(conn: sqlite3.Connection) -> None:
    rechain_entries(conn)
    rebuild_sums(conn)
    rechain_quotes(conn)
    rechain_actions(conn)
