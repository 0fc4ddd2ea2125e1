"""Reading a pool's answer row by row: a row that breaks a rule is refused alone, with the
field and the reason, and the good rows of the same answer are kept.

Only a row's own faults are refused this way (`Malformed` raised while reading it); an
answer whose shape is wrong as a whole (not a list, not JSON, an error body) still fails the
whole poll, since then no row can be trusted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar

from desk.feeds.errors import Malformed
from desk.feeds.records import PoolWindow, Refusal

R = TypeVar("R")


def row_key(kind: str, row: Any) -> str:
    """A name for `row` that is the same on every poll while the row is unchanged: a digest
    of its content (the row may be too broken to have a readable id)."""
    text = json.dumps(row, sort_keys=True, default=str, ensure_ascii=True)
    return f"{kind}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def best_day(read_day: Callable[[], date], fallback: date) -> date:
    """The day a row is for if it can be read, else `fallback` (the window's first day)."""
    try:
        return read_day()
    except (Malformed, ArithmeticError, TypeError, ValueError, KeyError, AttributeError):
        return fallback


def read_rows(
    window: PoolWindow,
    rows: Iterable[Any],
    where: str,
    kind: str,
    read: Callable[[Any, str], R | None],
    day_of: Callable[[Any], date],
) -> list[R]:
    """Read each row with `read(row, where)`; keep what it returns (None: not this kind of
    row), and note a row it refuses in `window.refused`. Every row counts in `window.rows`."""
    kept: list[R] = []
    for i, row in enumerate(rows):
        here = f"{where}[{i}]"
        try:
            record = read(row, here)
        except Malformed as exc:
            reason = exc.reason if exc.reason.startswith(here) else f"{here}: {exc.reason}"
            window.rows += 1
            window.refused.append(Refusal(kind, row_key(kind, row), day_of(row), here, reason))
            continue
        if record is not None:
            window.rows += 1
            kept.append(record)
    return kept
