"""An operator records that a transfer was broadcast (`desk broadcast DRAFT --txid … [--fee …]`):
the tx id in its chain's own form, and the network fee when the wallet showed it. The watch
then follows that tx id (on BSC and Solana, whose nodes cannot list an address's mempool,
this is how a transfer is seen before it is mined)."""

from __future__ import annotations

import re

from desk.money import Amount, MoneyError
from desk.register import EntryRejected, Register
from desk.register.transfers import BROADCAST, Change, Transfer

TXID_SHAPES: dict[str, re.Pattern[str]] = {
    "bitcoin": re.compile(r"[0-9a-f]{64}"),
    "bsc": re.compile(r"0x[0-9a-f]{64}"),
    "solana": re.compile(r"[1-9A-HJ-NP-Za-km-z]{64,90}"),
}
SHAPE_NAMES = {"bitcoin": "64 hex digits", "bsc": "0x and 64 hex digits", "solana": "a base-58 signature"}


def txid_for(chain: str, text: str) -> str:
    """`text` as a tx id of `chain` (hex in lower case), or EntryRejected naming the shape."""
    txid = text.strip()
    if chain in ("bitcoin", "bsc"):
        txid = txid.lower()
    if not TXID_SHAPES[chain].fullmatch(txid):
        raise EntryRejected(f"txid {text!r} is not a {chain} tx id ({SHAPE_NAMES[chain]})", field="txid")
    return txid


async def record_broadcast(register: Register, draft_id: int, txid: str, fee: str | None = None) -> Transfer:
    """Record that transfer `draft_id` was broadcast as `txid` (with its fee, in the
    transferred asset); return the transfer as it now stands."""
    transfer = await register.transfer(draft_id)
    fee_units = None
    if fee is not None:
        try:
            fee_units = Amount(transfer.amount.asset, fee).units
        except (MoneyError, ValueError) as exc:
            raise EntryRejected(f"fee {fee!r}: {exc}", field="fee") from None
    change = Change(BROADCAST, txid=txid_for(transfer.chain, txid), fee_units=fee_units, note="recorded by an operator")
    recorded = await register.record_transfer(draft_id, change)
    return recorded or transfer
