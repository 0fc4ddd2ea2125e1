"""Finding an entry by its chain hash (Register.entries_with_hash), as the detail shows it."""

from __future__ import annotations

from desk.register import Register
from tests.register.conftest import earning


async def test_a_hash_or_its_prefix_names_its_entry_and_nothing_else_does(register: Register) -> None:
    seqs = [await register.post(earning(i)) for i in range(3)]
    entry = await register.entry(seqs[1])
    assert await register.entries_with_hash(entry.hash) == [seqs[1]]
    assert await register.entries_with_hash(entry.hash[:12].upper()) == [seqs[1]]  # any case
    assert await register.entries_with_hash(entry.hash[:7]) == []  # too short to mean one entry
    assert await register.entries_with_hash("not-a-hash-at-all") == []
    assert await register.entries_with_hash("0" * 64) == []
