"""The life of an approved on-chain transfer, as the register keeps it.

An on-chain transfer is drafted from its source into `assets:transit:<chain>`, naming where
it goes (`details.to`); its approval posts that entry, so from then on the coins are in
transit and every balance, valuation and report is exact. What happens next is recorded
here, each change of state one chained `transfer` action naming the draft (with an
insert-only copy in `transfer_states`, for listing):

    approved → broadcast (txid, fee) → confirming (n of N) → settled
                     ↘ replaced (RBF: the replacement's txid) ↗
    … or failed / expired, which return the coins to the source.

Settling posts a `settlement` (transit → destination, and, when the network fee is known and
paid in the transferred asset, source → expenses:fees); failing or expiring posts a `return`
(transit → source). Only a transfer action may post those kinds (rules.lifecycle_gate). Those
entries are derived here from the approved entry itself, never from what a caller says, in
the same transaction as the action that names them, so `desk verify` can hold every
lifecycle entry to the action that posted it (verify_transfers.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from desk.money import Amount
from desk.register import actions, catalogue, posting, reads, rules
from desk.register.entries import Entry, NewEntry, Posting, parse_ts
from desk.register.errors import EntryRejected, NotFound
from desk.register.ledger import Signatures
from desk.register.text import check_text

if TYPE_CHECKING:
    from desk.register.register import Register

ACTION = "transfer"
#: The chained action that marks an address's history before the chain watch began.
WATCH_START = "chain_watch_start"
TRANSIT_PREFIX = "assets:transit:"

APPROVED, BROADCAST, CONFIRMING, REPLACED = "approved", "broadcast", "confirming", "replaced"
SETTLED, FAILED, EXPIRED = "settled", "failed", "expired"
STATES = (APPROVED, BROADCAST, CONFIRMING, REPLACED, SETTLED, FAILED, EXPIRED)
TERMINAL = frozenset({SETTLED, FAILED, EXPIRED})
IN_FLIGHT = frozenset({APPROVED, BROADCAST, CONFIRMING, REPLACED})
#: state -> the states it may change to. A mined transfer (confirming) no longer expires: it
#: settles, is replaced (a reorg dropped it and a replacement was mined) or fails.
NEXT: dict[str, frozenset[str]] = {
    APPROVED: frozenset({BROADCAST, CONFIRMING, REPLACED, SETTLED, FAILED, EXPIRED}),
    BROADCAST: frozenset({CONFIRMING, REPLACED, SETTLED, FAILED, EXPIRED}),
    REPLACED: frozenset({CONFIRMING, REPLACED, SETTLED, FAILED, EXPIRED}),
    CONFIRMING: frozenset({CONFIRMING, REPLACED, SETTLED, FAILED}),
}


@dataclass(frozen=True, slots=True)
class Transfer:
    """One approved on-chain transfer and where its life stands."""

    draft_id: int
    entry_seq: int
    approved_at: datetime
    drafted_by: str | None
    approved_by: str | None
    source: str
    destination: str
    chain: str
    amount: Amount
    memo: str
    state: str = APPROVED
    txid: str | None = None
    confirmations: int = 0
    fee: Amount | None = None
    #: when the state last changed (the approval, until something happened)
    updated_at: datetime | None = None
    #: txids this transfer was broadcast as before its current one (replaced by fee)
    replaced: tuple[str, ...] = ()
    #: the settlement, fee or return entries its end posted
    closing_seqs: tuple[int, ...] = ()

    @property
    def transit(self) -> str:
        return TRANSIT_PREFIX + self.chain

    @property
    def in_flight(self) -> bool:
        return self.state in IN_FLIGHT


def transit_account(chain: str) -> str:
    return TRANSIT_PREFIX + chain


def on_chain_transfer(entry: NewEntry | Entry) -> bool:
    """Whether `entry` is an on-chain transfer (into transit, naming its destination)."""
    details = entry.details or {}
    return entry.kind == "transfer" and "chain" in details and "to" in details


# ---------------------------------------------------------------- reading


async def listing(register: Register, states: Iterable[str] | None = None) -> list[Transfer]:
    """Every approved on-chain transfer (in `states`, if given), oldest approval first."""
    wanted = set(states) if states is not None else None
    if wanted is not None and (unknown := wanted - set(STATES)):
        raise EntryRejected(f"transfer state {sorted(unknown)[0]!r} is not one of {', '.join(STATES)}", field="state")
    # read from the file, not the catalogue this connection loaded: another process (the
    # screen) may have opened a transit account since; then the catalogue is loaded again
    transit = await register._all("SELECT id, path FROM accounts WHERE kind = 'assets:transit'")
    if any(path not in register._account_ids for _, path in transit):
        await catalogue.load(register)
    transit_ids = [i for i, _ in transit]
    if not transit_ids:
        return []
    marks = ",".join("?" * len(transit_ids))
    # from the transit accounts' postings (a few per transfer) to the approvals that posted
    # them; only settlements and returns also post there, and no approval names those. The
    # transfers in flight leave out every one whose life ended (the dashboard asks often).
    ended = ""
    if wanted is not None and not wanted & TERMINAL:
        ended = "AND a.draft_id NOT IN (SELECT draft_id FROM transfer_states WHERE state IN ({})) ".format(
            ", ".join(f"'{state}'" for state in sorted(TERMINAL))
        )
    rows = await register._all(
        "SELECT a.draft_id, a.entry_seq, a.ts FROM actions a INDEXED BY actions_approving "
        "WHERE a.action = 'approve' AND a.entry_seq IN "
        f"(SELECT p.entry_seq FROM postings p WHERE p.account_id IN ({marks})) {ended}ORDER BY a.seq",
        transit_ids,
    )
    return [t for t in await _built(register, rows) if wanted is None or t.state in wanted]


async def by_draft(register: Register, draft_id: int) -> Transfer:
    row = await register._one(
        "SELECT a.draft_id, a.entry_seq, a.ts FROM actions a WHERE a.action = 'approve' AND a.draft_id = ?",
        (draft_id,),
    )
    if row is None:
        raise NotFound(f"draft #{draft_id} is not an approved transfer")
    found = await _built(register, [row])
    if not found:
        raise NotFound(f"draft #{draft_id} is not an on-chain transfer (it went straight to its account)")
    return found[0]


async def _built(register: Register, rows: Sequence[tuple]) -> list[Transfer]:
    if not rows:
        return []
    entries = {e.seq: e for e in await reads.entries(register, [r[1] for r in rows])}
    draft_ids = [r[0] for r in rows]
    marks = ",".join("?" * len(draft_ids))
    states: dict[int, list[tuple]] = {}
    for state_row in await register._all(
        "SELECT t.draft_id, t.state, t.txid, t.confirmations, t.entry_seq, t.detail, a.ts FROM transfer_states t "
        f"JOIN actions a ON a.seq = t.action_seq WHERE t.draft_id IN ({marks}) ORDER BY t.action_seq",
        draft_ids,
    ):
        states.setdefault(state_row[0], []).append(state_row)
    result = []
    for draft_id, entry_seq, approved_ts in rows:
        entry = entries.get(entry_seq)
        if entry is None or not on_chain_transfer(entry):
            continue
        result.append(_folded(_approved(draft_id, entry, parse_ts(approved_ts)), states.get(draft_id, [])))
    return result


def _approved(draft_id: int, entry: Entry, at: datetime) -> Transfer:
    details = entry.details or {}
    source = next(p for p in entry.postings if p.amount.value < 0)
    into = next(p for p in entry.postings if p.amount.value > 0)
    return Transfer(
        draft_id=draft_id,
        entry_seq=entry.seq,
        approved_at=at,
        drafted_by=entry.drafted_by,
        approved_by=entry.approved_by,
        source=source.account,
        destination=details["to"],
        chain=details["chain"],
        amount=into.amount,
        memo=entry.memo,
        updated_at=at,
    )


def _folded(transfer: Transfer, rows: Sequence[tuple]) -> Transfer:
    """The transfer after each recorded change of state, in order."""
    for _draft, state, txid, confirmations, _entry, detail_text, ts in rows:
        detail = json.loads(detail_text)
        replaced = transfer.replaced
        if txid and transfer.txid and txid != transfer.txid:
            replaced = (*replaced, transfer.txid)
        fee = transfer.fee
        if detail.get("fee") is not None:
            fee = Amount.from_units(transfer.amount.asset, int(detail["fee"]))
        transfer = replace(
            transfer,
            state=state,
            txid=txid or transfer.txid,
            confirmations=confirmations,
            fee=fee,
            updated_at=parse_ts(ts),
            replaced=replaced,
            closing_seqs=tuple(detail.get("entries", ())) or transfer.closing_seqs,
        )
    return transfer


# ---------------------------------------------------------------- writing


@dataclass(frozen=True, slots=True)
class Change:
    """What a caller says happened to a transfer: the register decides what it posts."""

    state: str
    txid: str | None = None
    confirmations: int = 0
    #: the network fee, in the transferred asset's units (None: not known)
    fee_units: int | None = None
    note: str = ""


async def record(register: Register, draft_id: int, change: Change) -> Transfer | None:
    """Record `change` of transfer `draft_id` as a chained action, posting the entries its
    end implies; return the transfer as it now stands, or None when the change was already
    recorded (the same state, txid and confirmations: a watch that reads the chain again
    writes nothing). An illegal change is refused, naming the states it may go to."""
    if change.state not in STATES or change.state == APPROVED:
        raise EntryRejected(f"a transfer cannot be recorded as {change.state!r}", field="state")
    if change.txid is not None:
        check_text(change.txid, "txid", required=True)
    if change.note:
        check_text(change.note, "note")
    async with register._db.write():
        current = await by_draft(register, draft_id)
        if (change.state, change.txid or current.txid, change.confirmations) == (
            current.state,
            current.txid,
            current.confirmations,
        ) and (change.fee_units is None or (current.fee is not None and change.fee_units == current.fee.units)):
            return None
        allowed = NEXT.get(current.state, frozenset())
        if change.state not in allowed:
            raise EntryRejected(
                f"transfer #{draft_id} is {current.state}; it may become "
                + (", ".join(sorted(allowed)) if allowed else "nothing else (its life has ended)"),
                field="state",
            )
        if change.state in (BROADCAST, REPLACED) and not (change.txid or current.txid):
            raise EntryRejected(f"a {change.state} transfer needs its txid", field="txid")
        if change.fee_units is not None and change.fee_units < 0:
            raise EntryRejected("a network fee is not negative", field="fee")
        now = register._clock()
        posted = await _closing_entries(register, current, change, now)
        seqs = await posting.append(register, posted, Signatures(drafted_by=register.operator)) if posted else []
        detail: dict[str, Any] = {"state": change.state, "txid": change.txid or current.txid}
        detail["confirmations"] = change.confirmations
        if change.fee_units is not None:
            detail["fee"] = str(change.fee_units)
        if seqs:
            detail["entries"] = seqs
        if change.note:
            detail["note"] = change.note
        text = json.dumps(detail, sort_keys=True, separators=(",", ":"))
        action_seq = await actions.record(
            register, ACTION, draft_id=draft_id, entry_seq=seqs[0] if seqs else None, detail=detail, at=now
        )
        await register._db.execute(
            "INSERT INTO transfer_states (action_seq, draft_id, state, txid, confirmations, entry_seq, detail) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (action_seq, draft_id, change.state, detail["txid"], change.confirmations, seqs[0] if seqs else None, text),
        )
        return await by_draft(register, draft_id)


async def _closing_entries(register: Register, current: Transfer, change: Change, now: datetime) -> list[NewEntry]:
    """The entries a change posts: at settlement the move out of transit and the fee, at a
    failure or expiry the return to the source; nothing before."""
    tx = change.txid or current.txid
    on = f" (tx {tx})" if tx else ""
    if change.state == SETTLED:
        postings = [Posting(current.transit, -current.amount), Posting(current.destination, current.amount)]
        fee_units = change.fee_units if change.fee_units is not None else (current.fee.units if current.fee else None)
        if fee_units:
            fee = Amount.from_units(current.amount.asset, fee_units)
            postings += [Posting(current.source, -fee), Posting("expenses:fees", fee)]
        entry = NewEntry(
            kind="settlement",
            ts=now,
            postings=tuple(postings),
            memo=f"settles transfer #{current.draft_id} on {current.chain}{on}"
            + (f", network fee {fee}" if fee_units else ""),
            reference=tx,
        )
    elif change.state in (FAILED, EXPIRED):
        entry = NewEntry(
            kind="return",
            ts=now,
            postings=(Posting(current.transit, -current.amount), Posting(current.source, current.amount)),
            memo=f"returns transfer #{current.draft_id}: {change.state}{on}",
            reference=tx,
        )
    else:
        return []
    with rules.lifecycle_gate():
        catalogue.check(register, entry)
    return [entry]


# ---------------------------------------------------------------- the chain watch's marks


async def record_watch_start(register: Register, chain: str, address: str, height: int | None) -> int:
    """Mark where the watch began reading `address`: what the chain held before is history
    (opening balances), not movements anyone had to record. Returns the action seq."""
    check_text(address, "address", required=True)
    async with register._db.write():
        return await actions.record(
            register, WATCH_START, detail={"chain": chain, "address": address, "height": height}
        )


async def watch_starts(register: Register) -> dict[tuple[str, str], int | None]:
    """(chain, address) -> the height the watch began at (the first mark counts)."""
    starts: dict[tuple[str, str], int | None] = {}
    for (text,) in await register._all("SELECT detail FROM actions WHERE action = ? ORDER BY seq", (WATCH_START,)):
        detail = json.loads(text)
        starts.setdefault((detail["chain"], detail["address"]), detail.get("height"))
    return starts


async def known_txids(register: Register, txids: Iterable[str]) -> set[str]:
    """The txids among `txids` that an entry already carries as its reference (a pool
    payout, a settlement) or that a transfer was broadcast as."""
    wanted = sorted({t for t in txids if t})
    found: set[str] = set()
    for start in range(0, len(wanted), 400):
        chunk = wanted[start : start + 400]
        marks = ",".join("?" * len(chunk))
        lowered = [t.lower() for t in chunk]
        for (ref,) in await register._all(f"SELECT reference FROM entries WHERE reference IN ({marks})", chunk):
            found.add(ref)
        for (ref,) in await register._all(f"SELECT ref FROM refs WHERE ref IN ({marks})", lowered):
            found.update(t for t in chunk if t.lower() == ref)
        for (ref,) in await register._all(f"SELECT txid FROM transfer_states WHERE txid IN ({marks})", chunk):
            found.add(ref)
    return found


async def open_transit(register: Register, chain: str) -> str:
    """Open `assets:transit:<chain>` if it is not open yet; return its path."""
    path = transit_account(chain)
    if path not in register._account_ids:
        await register.add_account(path)
    return path
