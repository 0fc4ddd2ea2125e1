"""One Esplora transaction as a movement of a watched address (shape of `GET
/address/{a}/txs`, see api-samples/esplora/address_txs.json and Blockstream's esplora
API.md: `vin[].prevout.scriptpubkey_address`/`value`, `vout[]`, `fee`, `status`).

Outgoing when the address funds one of the inputs (its `prevout` names it): the amount is
what went to other addresses (change back to us is not moved), the fee is the tx's fee, the
counterparty the first other output's address. Incoming otherwise, when an output pays the
address: the amount is those outputs, the counterparty the first input's address. All in
integer satoshis, so exact.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from desk.feeds.chains.movements import Seen, confirmations
from desk.feeds.chains.records import ChainMovement
from desk.feeds.errors import Malformed
from desk.feeds.fields import tx_id
from desk.feeds.parsing import as_list, field, sats, unix_seconds
from desk.money import BTC, Amount

CHAIN = "bitcoin"


def esplora_movement(tx: Any, address: str, tip: int, where: str) -> Seen | None:
    """The movement `tx` makes at `address` (None when it neither pays nor spends it)."""
    txid = tx_id(field(tx, "txid", where), f"{where}.txid")
    height, block_time = _status(field(tx, "status", where), f"{where}.status")
    ours_in, senders, spends = _inputs(as_list(field(tx, "vin", where), f"{where}.vin"), address, f"{where}.vin")
    to_us, others = _outputs(as_list(field(tx, "vout", where), f"{where}.vout"), address, f"{where}.vout")
    fee = sats(field(tx, "fee", where), f"{where}.fee")
    if ours_in:
        moved = sum(value for _, value in others)
        if moved == 0:
            return None  # coins sent back to the address itself: only the fee left it
        direction, counterparty = "out", next((a for a, _ in others if a), None)
    elif to_us:
        moved, direction, counterparty = to_us, "in", senders[0] if senders else None
    else:
        return None
    movement = ChainMovement(
        chain=CHAIN,
        txid=txid,
        address=address,
        direction=direction,
        amount=Amount.from_units(BTC, moved),
        fee=fee,
        counterparty=counterparty,
        block_height=height,
        block_time=block_time,
        confirmations=confirmations(tip, height),
        status="mempool" if height is None else "confirmed",
    )
    return Seen(movement, frozenset(spends))


def _status(status: Any, where: str) -> tuple[int | None, datetime | None]:
    confirmed = field(status, "confirmed", where)
    if not isinstance(confirmed, bool):
        raise Malformed(f"{where}.confirmed: {confirmed!r} is not true or false")
    if not confirmed:
        return None, None
    height = field(status, "block_height", where)
    if isinstance(height, bool) or not isinstance(height, int) or height < 0:
        raise Malformed(f"{where}.block_height: {height!r} is not a block height")
    return height, unix_seconds(field(status, "block_time", where), f"{where}.block_time")


def _inputs(vin: list[Any], address: str, where: str) -> tuple[int, list[str], set[str]]:
    """Sats the address put in, the other senders' addresses, and the outpoints spent."""
    ours, senders, spends = 0, [], set()
    for j, spent in enumerate(vin):
        here = f"{where}[{j}]"
        prev_txid = tx_id(field(spent, "txid", here), f"{here}.txid")
        index = field(spent, "vout", here)
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise Malformed(f"{here}.vout: {index!r} is not an output index")
        spends.add(f"{prev_txid}:{index}")
        prevout = spent.get("prevout") if isinstance(spent, dict) else None
        if prevout is None:
            continue  # a coinbase input spends nothing
        owner = field(prevout, "scriptpubkey_address", f"{here}.prevout") if "scriptpubkey_address" in prevout else None
        value = sats(field(prevout, "value", f"{here}.prevout"), f"{here}.prevout.value").units
        if owner == address:
            ours += value
        elif isinstance(owner, str):
            senders.append(owner)
    return ours, senders, spends


def _outputs(vout: list[Any], address: str, where: str) -> tuple[int, list[tuple[str | None, int]]]:
    """Sats paid to the address, and the other outputs as (address or None, sats)."""
    ours, others = 0, []
    for k, out in enumerate(vout):
        here = f"{where}[{k}]"
        value = sats(field(out, "value", here), f"{here}.value").units
        owner = out.get("scriptpubkey_address") if isinstance(out, dict) else None
        if owner == address:
            ours += value
        elif value:
            others.append((owner if isinstance(owner, str) else None, value))
    return ours, others
