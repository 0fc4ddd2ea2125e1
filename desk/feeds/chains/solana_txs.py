"""Solana transactions as movements of one SPL token (KZTE) at an owner's address.

Shapes from Solana's RPC documentation (solana.com/docs/rpc/http/getsignaturesforaddress,
/gettransaction, /getsignaturestatuses, and /docs/rpc/json-structures#token-balances):
`getSignaturesForAddress` lists `{signature, slot, err, memo, blockTime,
confirmationStatus}` newest first; `getTransaction(sig, {"encoding": "jsonParsed"})` gives
`slot`, `blockTime` and `meta.preTokenBalances` / `meta.postTokenBalances`, each
`{accountIndex, mint, owner, programId, uiTokenAmount: {amount, decimals, uiAmount,
uiAmountString}}`: `amount` is an integer string of base units, read exactly; the float
`uiAmount` is ignored. A sample of each is in tests/chains/samples/solana/.

A token transfer names the token accounts, not always the owner, so the owner's movement is
the change of the mint's balances owned by it: post minus pre (an account absent before the
tx held nothing). The network fee is paid in SOL, which desk does not carry, so a Solana
movement's `fee` is None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desk.feeds.chains.base import integer_text
from desk.feeds.errors import Malformed
from desk.feeds.fields import shown
from desk.feeds.parsing import as_list, field, unix_seconds

SIGNATURE = re.compile(r"[1-9A-HJ-NP-Za-km-z]{64,90}")


@dataclass(frozen=True, slots=True)
class SignatureRow:
    """One row of getSignaturesForAddress (or a getSignatureStatuses answer)."""

    signature: str
    slot: int
    failed: bool
    status: str  # processed | confirmed | finalized


@dataclass(frozen=True, slots=True)
class TokenChange:
    """What one landed transaction did to the owner's balance of the mint, in base units."""

    slot: int
    block_time: datetime | None
    delta: int
    decimals: int
    counterparty: str | None


def signature(value: Any, where: str) -> str:
    if isinstance(value, str) and SIGNATURE.fullmatch(value):
        return value
    raise Malformed(f"{where}: {shown(str(value))} is not a transaction signature (base-58)")


def slot_of(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Malformed(f"{where}: {value!r} is not a slot")
    return value


def signature_row(row: Any, where: str, sig: str | None = None) -> SignatureRow:
    """A getSignaturesForAddress row; a getSignatureStatuses value with `sig` given."""
    status = field(row, "confirmationStatus", where)
    if status not in ("processed", "confirmed", "finalized"):
        raise Malformed(f"{where}.confirmationStatus: {shown(str(status))} is not processed, confirmed or finalized")
    return SignatureRow(
        signature=sig or signature(field(row, "signature", where), f"{where}.signature"),
        slot=slot_of(field(row, "slot", where), f"{where}.slot"),
        failed=field(row, "err", where) is not None,
        status=status,
    )


def token_change(tx: Any, owner: str, mint: str, where: str) -> TokenChange:
    """The owner's change of `mint` in a getTransaction (jsonParsed) answer."""
    meta = field(tx, "meta", where)
    if meta is None:
        raise Malformed(f"{where}.meta: the node kept no status for this transaction")
    before, decimals_pre, others_pre = _balances(meta, "preTokenBalances", owner, mint, f"{where}.meta")
    after, decimals_post, others_post = _balances(meta, "postTokenBalances", owner, mint, f"{where}.meta")
    decimals = decimals_post if decimals_post is not None else decimals_pre
    delta = after - before
    counterparty = None
    for other in sorted(set(others_pre) | set(others_post)):
        change = others_post.get(other, 0) - others_pre.get(other, 0)
        if change and (change > 0) != (delta > 0):
            counterparty = other
            break
    raw_time = field(tx, "blockTime", where)
    return TokenChange(
        slot=slot_of(field(tx, "slot", where), f"{where}.slot"),
        block_time=None if raw_time is None else unix_seconds(raw_time, f"{where}.blockTime"),
        delta=delta,
        decimals=decimals if decimals is not None else 0,
        counterparty=counterparty,
    )


def _balances(meta: Any, key: str, owner: str, mint: str, where: str) -> tuple[int, int | None, dict[str, int]]:
    """Base units of `mint` owned by `owner` in `meta[key]`, their decimals, and the other
    owners' holdings of the mint."""
    ours, decimals, others = 0, None, {}
    rows = meta.get(key) if isinstance(meta, dict) else None
    for i, balance in enumerate(as_list(rows if rows is not None else [], f"{where}.{key}")):
        here = f"{where}.{key}[{i}]"
        if field(balance, "mint", here) != mint:
            continue
        amount = field(balance, "uiTokenAmount", here)
        units = integer_text(field(amount, "amount", f"{here}.uiTokenAmount"), f"{here}.uiTokenAmount.amount")
        places = field(amount, "decimals", f"{here}.uiTokenAmount")
        if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 18:
            raise Malformed(f"{here}.uiTokenAmount.decimals: {places!r} is not a token precision")
        holder = balance.get("owner")
        if holder == owner:
            ours += units
            decimals = places
        elif isinstance(holder, str):
            others[holder] = others.get(holder, 0) + units
    return ours, decimals, others
