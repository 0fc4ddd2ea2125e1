"""What `desk verify` holds about on-chain transfers (see transfers.py): the insert-only
`transfer_states` rows against the chained `transfer` actions they copy, each transfer's
states in an order its life allows, starting from an approval, and every settlement and
return entry posted by exactly one transfer action — none behind the log's back."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from desk.register.entries import LIFECYCLE_KINDS
from desk.register.transfers import ACTION, APPROVED, NEXT

#: (kind of mismatch, message) -> noted
Add = Callable[[str, str], None]


def check_transfers(conn: sqlite3.Connection, add: Add) -> None:
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'transfer_states'").fetchone() is None:
        return  # a file from before transfers had a life (it is migrated when next opened)
    actions = {
        seq: (draft_id, entry_seq, detail)
        for seq, draft_id, entry_seq, detail in conn.execute(
            "SELECT seq, draft_id, entry_seq, detail FROM actions WHERE action = ? ORDER BY seq", (ACTION,)
        )
    }
    rows = {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT action_seq, draft_id, state, txid, confirmations, entry_seq, detail FROM transfer_states"
        )
    }
    approved = {d for (d,) in conn.execute("SELECT draft_id FROM actions WHERE action = 'approve'")}
    state: dict[int, str] = {}
    named: dict[int, int] = {}
    for seq, (draft_id, entry_seq, text) in actions.items():
        try:
            detail = json.loads(text)
        except ValueError:
            continue  # the chain check has named it
        row = rows.pop(seq, None)
        expected = (draft_id, detail.get("state"), detail.get("txid"), detail.get("confirmations", 0), entry_seq)
        if row is None:
            add("transfers", f"transfer action #{seq} (draft #{draft_id}) has no transfer_states row")
        elif row[:5] != expected or json.loads(row[5]) != detail:
            add("transfers", f"the transfer_states row of action #{seq} differs from its chained action")
        before = state.get(draft_id, APPROVED)
        if draft_id not in approved:
            add("transfers", f"transfer action #{seq} follows draft #{draft_id}, which was never approved")
        elif detail.get("state") not in NEXT.get(before, frozenset()):
            add("transfers", f"transfer action #{seq}: draft #{draft_id} went from {before} to {detail.get('state')}")
        state[draft_id] = detail.get("state", before)
        for entry in detail.get("entries", ()):
            if entry in named:
                add("transfers", f"entry #{entry} is claimed by two transfer actions (#{named[entry]}, #{seq})")
            named[entry] = seq
    for seq in sorted(rows):
        add("transfers", f"transfer_states row #{seq} has no chained transfer action (added behind desk's back)")
    kinds = ",".join(f"'{k}'" for k in sorted(LIFECYCLE_KINDS))
    for (entry,) in conn.execute(f"SELECT seq FROM entries WHERE kind IN ({kinds}) ORDER BY seq"):
        if entry not in named:
            add("transfers", f"entry #{entry} settles or returns a transfer, but no transfer action posted it")
