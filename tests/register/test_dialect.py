"""SQL written once for SQLite, as PostgreSQL receives it (desk/register/backends/dialect.py)."""

from __future__ import annotations

import pytest

from desk.register.backends.dialect import to_postgres


def test_placeholders_are_numbered_and_quoted_text_is_left_alone() -> None:
    assert to_postgres("SELECT a FROM t WHERE b = ? AND c = '?' AND d = ?") == (
        "SELECT a FROM t WHERE b = $1 AND c = '?' AND d = $2"
    )
    assert to_postgres("SELECT 1 WHERE ts >= ?1 AND ts < ?2 AND seq > ?1") == (
        "SELECT 1 WHERE ts >= $1 AND ts < $2 AND seq > $1"
    )


def test_insert_or_ignore_and_or_replace_become_on_conflict() -> None:
    assert to_postgres("INSERT OR IGNORE INTO refs (ref, entry_seq) VALUES (?, ?)") == (
        "INSERT INTO refs (ref, entry_seq) VALUES ($1, $2) ON CONFLICT (ref, entry_seq) DO NOTHING"
    )
    assert to_postgres("INSERT OR REPLACE INTO balances (account_id, asset, units) VALUES (?, ?, ?)") == (
        "INSERT INTO balances (account_id, asset, units) VALUES ($1, $2, $3) "
        "ON CONFLICT (account_id, asset) DO UPDATE SET units = EXCLUDED.units"
    )


def test_sqlite_only_forms_are_rewritten() -> None:
    assert to_postgres("WHERE d.id IS NOT ? AND basis IS NOT 'day' AND x IS NOT NULL") == (
        "WHERE d.id IS DISTINCT FROM $1 AND basis IS DISTINCT FROM 'day' AND x IS NOT NULL"
    )
    assert to_postgres("SET quiet = MAX(pool_days.quiet, excluded.quiet)") == (
        "SET quiet = GREATEST(pool_days.quiet, excluded.quiet)"
    )
    assert to_postgres("ON json_extract(a.detail, '$.proposal') = p.id") == (
        "ON (a.detail::jsonb ->> 'proposal') = CAST(p.id AS TEXT)"
    )
    assert to_postgres("SELECT ts FROM entries INDEXED BY entries_ts WHERE seq > ?") == (
        "SELECT ts FROM entries WHERE seq > $1"
    )
    assert to_postgres("UPDATE meta SET value = value + ? WHERE key = 'entry_count'") == (
        "UPDATE meta SET value = CAST(CAST(value AS NUMERIC) + $1 AS TEXT) WHERE key = 'entry_count'"
    )


def test_insert_or_ignore_on_a_table_without_a_named_key_is_refused() -> None:
    """A bare ON CONFLICT DO NOTHING would swallow a collision on any unique key."""
    with pytest.raises(ValueError, match="INSERT OR IGNORE INTO entries: name its conflict key"):
        to_postgres("INSERT OR IGNORE INTO entries (seq) VALUES (?)")
