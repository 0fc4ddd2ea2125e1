"""The rules a feed's text fields keep before anything reaches the register.

A pool's answer is decoded with `surrogateescape` (desk/feeds/http.py), so a byte that is not
valid UTF-8 survives decoding as a lone surrogate and is caught here, in the field it sits in,
instead of becoming a replacement character inside a tx id or an address. Each rule raises
`Malformed` naming the feed, path and field (`where`) and what is wrong with the value.

    tx id         64 hex digits (a Bitcoin txid or block hash), kept in lower case
    address       on chain: bech32 (bc1/tb1/bcrt1, one case) or base58 (legacy P2PKH/P2SH);
                  Lightning: a Lightning address (user@host), a BOLT 11 invoice or a node id
    external id   printable ASCII without spaces, at most 128 characters
    text          valid UTF-8, no control characters

The on-chain shape is the one `desk config` checks configured addresses against and Esplora's
own rough test; the samples' placeholder addresses (`bc1qdeskdemo0hotwallet...`) keep it,
which a strict bech32 checksum would not.
"""

from __future__ import annotations

import re
from typing import Any

from desk.feeds.errors import Malformed

TX_ID = re.compile(r"[0-9a-fA-F]{64}")
TX_ID_LOWER = re.compile(r"[0-9a-f]{64}")
BITCOIN_ADDRESS = re.compile(
    r"(?:bc1|tb1|bcrt1)[a-z0-9]{8,87}|(?:BC1|TB1|BCRT1)[A-Z0-9]{8,87}|[123mn][1-9A-HJ-NP-Za-km-z]{25,34}"
)
LIGHTNING_DESTINATION = re.compile(
    r"[a-z0-9._+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})+"  # Lightning address
    r"|ln[a-z0-9]{2,1500}"  # BOLT 11 invoice (bech32, one case)
    r"|0[23][0-9a-f]{64}",  # node id (compressed public key)
    re.IGNORECASE,
)
EXTERNAL_ID = re.compile(r"[!-~]{1,128}")
#: a stray byte of a garbled answer (a lone surrogate, see desk/feeds/http.py) or a control character
_UNFIT = re.compile(r"[\ud800-\udfff\x00-\x1f\x7f]")


def check_text(value: str, where: str) -> str:
    """`value` itself, if it is valid UTF-8 without control characters."""
    bad = _UNFIT.search(value)
    if bad is None:
        return value
    if "\ud800" <= bad.group() <= "\udfff":
        raise Malformed(f"{where}: bytes that are not valid UTF-8 ({_around(value, bad.start())})")
    raise Malformed(f"{where}: a control character in {_around(value, bad.start())}")


def _around(value: str, at: int) -> str:
    """The few characters around position `at`, escaped: where in a long value the fault is."""
    start = max(0, at - 16)
    return ("..." if start else "") + shown(value[start:], 32)


def tx_id(value: Any, where: str) -> str:
    """A transaction id (or block hash): 64 hex digits, returned in lower case."""
    if isinstance(value, str) and TX_ID.fullmatch(value):  # the alphabet leaves no stray byte out
        return value.lower()
    if not isinstance(value, str):
        raise Malformed(f"{where}: expected a tx id, got {type(value).__name__}")
    check_text(value, where)
    raise Malformed(f"{where}: {shown(value)} is not a tx id (64 hex digits)")


def address(value: Any, where: str, *, rail: str = "onchain") -> str:
    """A payout destination in its rail's alphabet: a Bitcoin address on chain, a Lightning
    destination on Lightning."""
    shape, what = (
        (BITCOIN_ADDRESS, "a Bitcoin address")
        if rail == "onchain"
        else (LIGHTNING_DESTINATION, "a Lightning destination")
    )
    if isinstance(value, str) and shape.fullmatch(value):
        return value
    if not isinstance(value, str):
        raise Malformed(f"{where}: expected an address, got {type(value).__name__}")
    check_text(value, where)
    raise Malformed(f"{where}: {shown(value)} is not {what}")


def external_id(value: str, where: str) -> str:
    """The id a record is kept under in the register: printable ASCII, no spaces."""
    if EXTERNAL_ID.fullmatch(value):
        return value
    check_text(value, where)
    raise Malformed(f"{where}: {shown(value)} is not an id (printable ASCII without spaces, at most 128)")


def shown(value: str, limit: int = 40) -> str:
    """A value as an error message may quote it: escaped, so a stray byte or a control
    character is visible and cannot break the log line; cut to `limit` characters."""
    text = value if len(value) <= limit else value[:limit] + "..."
    return ascii(text)
