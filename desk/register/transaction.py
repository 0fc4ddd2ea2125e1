"""One write transaction on the register, for what a caller outside it composes.

    async with reg.transaction() as tx:
        await reg.controls.authorize(reg, "propose")      # reads see the transaction
        proposal_id = await tx.add_proposal(change)
        await tx.record("policy_propose", {"proposal": proposal_id, "change": change})

Everything inside commits together or not at all (a raise rolls it back), and other
writers, in this process or another, wait until it ends. Reads through the register inside
the block see what the block has written. The register's own write methods (`post`,
`draft`, ...) open a transaction of their own: calling one inside the block would wait for
the block forever, so a block writes through `tx` only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from desk.register import actions, catalogue, posting, proposals
from desk.register.entries import NEEDS_APPROVAL, NewEntry
from desk.register.errors import EntryRejected
from desk.register.ledger import Signatures

if TYPE_CHECKING:
    from desk.register.register import Register

#: Marks in the meta table a caller may keep (the register's own counters are not writable).
MARK_PREFIXES = ("price_history:",)


class Transaction:
    """The writes a caller may make inside `Register.transaction()`."""

    def __init__(self, register: Register) -> None:
        self._register = register

    async def record(
        self,
        action: str,
        detail: dict[str, Any] | None = None,
        *,
        draft_id: int | None = None,
        entry_seq: int | None = None,
        at: datetime | None = None,
    ) -> int:
        """Append a chained action signed by the register's operator; return its seq."""
        actions.check_detail_text(action, detail)
        return await actions.record(
            self._register, action, draft_id=draft_id, entry_seq=entry_seq, detail=detail, at=at
        )

    async def append(self, entries: Sequence[NewEntry]) -> list[int]:
        """Post entries that need no second operator (checked as `Register.post` checks
        them), signed by the register's operator; return their seqs."""
        register = self._register
        for entry in entries:
            if entry.kind in NEEDS_APPROVAL:
                raise EntryRejected(f"a {entry.kind} needs a second operator: draft it", field="kind")
            catalogue.check(register, entry)
        return await posting.append(register, list(entries), Signatures(drafted_by=register.operator))

    async def set_mark(self, key: str, value: str) -> None:
        """Keep a sync mark under `key` (e.g. `price_history:...`)."""
        if not key.startswith(MARK_PREFIXES):
            raise EntryRejected(f"meta key {key!r} is not a sync mark (price_history:...)", field="key")
        await self._register._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    async def add_proposal(self, change: Mapping[str, Any]) -> int:
        """Keep the insert-only listing row of a proposed policy change; return its id (the
        caller records the chained `policy_propose` action that holds the change)."""
        return await proposals.insert(self._register, change)

    async def pending_proposal(self, proposal_id: int) -> proposals.ProposalRecord:
        """The pending proposal as its chained action holds it (refused if tampered with)."""
        return await proposals.pending(self._register, proposal_id)
