"""SQL written once, for SQLite, and turned into PostgreSQL's dialect here, in one place.

The register's modules write their statements in SQLite's SQL (the embedded default). A
statement bound for PostgreSQL goes through `to_postgres`: `?` and `?N` placeholders become
`$n`, `INSERT OR IGNORE` / `INSERT OR REPLACE` become `ON CONFLICT (key)` clauses naming the
key each table is meant to conflict on (`IGNORE_KEYS`, `REPLACE_KEYS`; a table not listed is
refused at translation), so that a conflict on any other unique key (an id out of step after
a copy) still raises instead of silently dropping the row, `IS ?` / `IS NOT ?` become `IS [NOT]
DISTINCT FROM`, the two-argument scalar `MAX(a, b)` becomes `GREATEST`, JSON field reads
become `->>`, the meta counter's arithmetic casts its text, and SQLite's index hints
(`INDEXED BY`, `NOT INDEXED`) go. What cannot be translated
this way (schema DDL, triggers, pragmas) lives in the backend's own module.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: The primary key each table written with `INSERT OR REPLACE` conflicts on.
REPLACE_KEYS: dict[str, tuple[str, ...]] = {
    "meta": ("key",),
    "balances": ("account_id", "asset"),
    "daily": ("account_id", "asset", "day"),
    "entry_state": ("entry_seq",),
    "lot_days": ("account_id", "asset", "source", "cost_known", "day"),
}

#: The key each table written with `INSERT OR IGNORE` is meant to skip a duplicate of: a
#: bare `ON CONFLICT DO NOTHING` would also swallow a collision on any other unique key.
IGNORE_KEYS: dict[str, tuple[str, ...]] = {
    "accounts": ("path",),
    "refs": ("ref", "entry_seq"),
}

_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\s+(\w+)", re.IGNORECASE)
_OR_REPLACE = re.compile(r"^\s*INSERT\s+OR\s+REPLACE\s+INTO\s+(\w+)\s*\(([^)]*)\)", re.IGNORECASE)
_IS_PARAM = re.compile(r"\bIS\s+(NOT\s+)?(\?|'[^']*')", re.IGNORECASE)
_SCALAR_MAX = re.compile(r"\bMAX\(\s*([\w.]+)\s*,\s*([\w.]+)\s*\)", re.IGNORECASE)
_JSON_EQ = re.compile(r"json_extract\(([\w.]+),\s*'\$\.(\w+)'\)\s*=\s*([\w.]+)")
_JSON = re.compile(r"json_extract\(([\w.]+),\s*'\$\.(\w+)'\)")
_META_ADD = re.compile(r"SET value = value \+ \?")
_CATALOGUE = re.compile(r"FROM sqlite_master WHERE name =")
_INDEX_HINT = re.compile(r"\s+(?:NOT INDEXED|INDEXED BY \w+)\b")


@lru_cache(maxsize=1024)
def to_postgres(sql: str) -> str:
    """The PostgreSQL form of one statement written for SQLite."""
    out = sql
    if match := _OR_IGNORE.match(out):
        keys = _conflict_key(IGNORE_KEYS, match.group(1), "IGNORE")
        out = _OR_IGNORE.sub(lambda m: f"INSERT INTO {m.group(1)}", out, count=1)
        out += f" ON CONFLICT ({', '.join(keys)}) DO NOTHING"
    elif match := _OR_REPLACE.match(out):
        table, cols = match.group(1), [c.strip() for c in match.group(2).split(",")]
        keys = _conflict_key(REPLACE_KEYS, table, "REPLACE")
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols if c not in keys)
        out = (
            _OR_REPLACE.sub(lambda m: f"INSERT INTO {m.group(1)} ({m.group(2)})", out, count=1)
            + f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
        )
    out = _IS_PARAM.sub(lambda m: ("IS DISTINCT FROM " if m.group(1) else "IS NOT DISTINCT FROM ") + m.group(2), out)
    out = _SCALAR_MAX.sub(r"GREATEST(\1, \2)", out)
    out = _JSON_EQ.sub(r"(\1::jsonb ->> '\2') = CAST(\3 AS TEXT)", out)
    out = _JSON.sub(r"(\1::jsonb ->> '\2')", out)
    out = _META_ADD.sub("SET value = CAST(CAST(value AS NUMERIC) + ? AS TEXT)", out)
    out = _INDEX_HINT.sub("", out)  # SQLite's planner hints; PostgreSQL plans alone
    out = _CATALOGUE.sub("FROM information_schema.tables WHERE table_schema = current_schema() AND table_name =", out)
    return placeholders(out)


def _conflict_key(keys: dict[str, tuple[str, ...]], table: str, verb: str) -> tuple[str, ...]:
    """The key `INSERT OR {verb}` into `table` conflicts on; a statement on a table nobody
    listed is a programming error, said at its first run rather than guessed."""
    if table not in keys:
        raise ValueError(f"INSERT OR {verb} INTO {table}: name its conflict key in dialect.{verb}_KEYS")
    return keys[table]


def placeholders(sql: str) -> str:
    """`?` (numbered in order) and `?N` become `$n`; text inside quotes is left alone."""
    out: list[str] = []
    n = 0
    i = 0
    quote: str | None = None
    while i < len(sql):
        ch = sql[i]
        if quote:
            out.append(ch)
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "?":
            j = i + 1
            while j < len(sql) and sql[j].isdigit():
                j += 1
            if j > i + 1:
                out.append("$" + sql[i + 1 : j])
            else:
                n += 1
                out.append(f"${n}")
            i = j
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)
