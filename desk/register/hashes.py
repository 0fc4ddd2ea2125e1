"""Finding an entry by its chain hash: the hash the entry detail shows is what an auditor
copies and searches for. No index covers the hash column (adding one is a schema version
of its own), so the lookup scans the entries table, off the screen's loop like every read;
a prefix of at least MIN_PREFIX hex digits is enough when it names one entry."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desk.register.register import Register

#: the shortest hash prefix looked up (shorter ones name too many entries to mean one)
MIN_PREFIX = 8
_HEX = re.compile(r"[0-9a-f]+")


async def seqs_with_hash(register: Register, prefix: str) -> list[int]:
    """The seqs of the entries whose hash starts with `prefix` (hex, any case), at most two:
    one is the entry, two say the prefix is ambiguous. Empty when `prefix` is no hash prefix."""
    digest = prefix.strip().lower()
    if len(digest) < MIN_PREFIX or not _HEX.fullmatch(digest):
        return []
    rows = await register._all(
        "SELECT seq FROM entries WHERE hash >= ? AND hash < ? ORDER BY seq LIMIT 2", (digest, digest + "g")
    )
    return [row[0] for row in rows]
