"""How amounts are stored: integer smallest units, as SQLite INTEGER when they fit in 63 bits
and as decimal TEXT when they do not (1e-18 BNB units overflow a 64-bit integer past ~9.2
BNB). Columns holding units have no type affinity, so SQLite keeps each value as given; code
never sums them in SQL (SUM over TEXT goes through float)."""

from __future__ import annotations

_INT64_MAX = 2**63 - 1


def to_db(units: int) -> int | str:
    return units if -_INT64_MAX <= units <= _INT64_MAX else str(units)


def from_db(value: int | str) -> int:
    return value if isinstance(value, int) else int(value)
