"""BNB Smart Chain transactions and receipts as the Ethereum JSON-RPC spec shapes them.

Shapes from the Ethereum execution API specification (github.com/ethereum/execution-apis,
src/schemas/transaction.yaml, receipt.yaml, block.yaml; BSC's nodes are geth forks and
answer the same): a transaction object has `hash`, `from`, `to` (null for a contract
creation), `value` (hex wei), `nonce` (hex), `blockNumber` (hex, null while pending),
`gasPrice` (hex); a receipt has `status` ("0x1" success, "0x0" reverted), `gasUsed` and
`effectiveGasPrice` (hex): the fee is their product, in wei; `eth_getBlockByNumber(n, true)`
gives `number`, `timestamp` (hex unix seconds) and `transactions` as full objects. A sample
of each is in tests/chains/samples/bsc/.

Only native BNB moves are read (a tx's `value`); a BEP-20 token transfer is a contract call
with value 0 and is not a BNB movement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from desk.feeds.chains.base import integer_text
from desk.feeds.errors import Malformed
from desk.feeds.fields import shown
from desk.feeds.parsing import field

HASH = re.compile(r"0x[0-9a-fA-F]{64}")
ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
#: More wei than this in one tx is not plausible (10^22 BNB); refused rather than believed.
WEI_CAP = 10**40


@dataclass(frozen=True, slots=True)
class TxLine:
    """What a movement needs of a transaction object; addresses in lower case."""

    hash: str
    sender: str
    to: str | None
    wei: int
    nonce: int
    block: int | None


def tx_hash(value: Any, where: str) -> str:
    if isinstance(value, str) and HASH.fullmatch(value):
        return value.lower()
    raise Malformed(f"{where}: {shown(str(value))} is not a transaction hash (0x and 64 hex digits)")


def eth_address(value: Any, where: str) -> str:
    if isinstance(value, str) and ADDRESS.fullmatch(value):
        return value.lower()
    raise Malformed(f"{where}: {shown(str(value))} is not an address (0x and 40 hex digits)")


def quantity(value: Any, where: str) -> int:
    """A hex quantity ("0x1b1ae4d6e2ef5000000"), exact at any size."""
    return integer_text(value, where, base=16)


def tx_line(row: Any, where: str) -> TxLine:
    """A transaction object; a field that breaks its rule is refused with its name."""
    to = field(row, "to", where)
    block = field(row, "blockNumber", where)
    wei = quantity(field(row, "value", where), f"{where}.value")
    if wei >= WEI_CAP:
        raise Malformed(f"{where}.value: {wei} wei is not a plausible amount")
    return TxLine(
        hash=tx_hash(field(row, "hash", where), f"{where}.hash"),
        sender=eth_address(field(row, "from", where), f"{where}.from"),
        to=None if to is None else eth_address(to, f"{where}.to"),
        wei=wei,
        nonce=quantity(field(row, "nonce", where), f"{where}.nonce"),
        block=None if block is None else quantity(block, f"{where}.blockNumber"),
    )


def receipt_fee(receipt: Any, where: str) -> tuple[bool, int]:
    """(succeeded, fee in wei) of a receipt: a reverted tx moved no value but paid its fee."""
    status = quantity(field(receipt, "status", where), f"{where}.status")
    if status not in (0, 1):
        raise Malformed(f"{where}.status: {status} is neither 0x0 nor 0x1")
    used = quantity(field(receipt, "gasUsed", where), f"{where}.gasUsed")
    price = quantity(field(receipt, "effectiveGasPrice", where), f"{where}.effectiveGasPrice")
    return status == 1, used * price


def touches(row: Any, address: str) -> bool:
    """Whether a raw transaction object names `address` (lower case) as sender or recipient:
    a cheap look before a row is parsed, so only our rows can be refused."""
    if not isinstance(row, dict):
        return False
    return any(isinstance(row.get(key), str) and row[key].lower() == address for key in ("from", "to"))
