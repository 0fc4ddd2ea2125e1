"""Faults inside one row of a pool's answer, the rest of it untouched: what real pools send
on a bad day, and what desk must refuse row by row (or record as nothing) without losing
the good rows around it.

    zero_row     the first row's amount is zero, in the source's own spelling
                 ("0.00000000", 0.0, -0.0 for an F2Pool payout, "0" sats)
    fee_over     the first payout's network fee is one satoshi more than the payout
                 (Braiins `fee_sats`, F2Pool `payout_extra.tip`)
    garbled      bytes that are not UTF-8 inside the first tx id, block hash or address
    bad_row      the middle row of each list has an amount of the wrong type
    tiny_amount  the first row's amount is 1e-2000

A source without such rows (a price source) answers as usual.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from desk.sim.encode import dumps

ROW_FAULTS = ("zero_row", "fee_over", "garbled", "bad_row", "tiny_amount")
AMOUNT_KEYS = (
    "total_reward",
    "changed_balance",
    "totalAmount",
    "satoshis_net_earned",
    "amount_sats",
    "amount",
    "total_satoshis_net_paid",
)
FEE_KEYS = ("fee_sats", "tip")
_GARBLE_TARGET = re.compile(r"[0-9a-f]{64}|bc1[a-z0-9]{8,87}")
_MARK = "\x00garbled\x00"
#: Two bytes no UTF-8 text contains (a continuation byte with no lead, then 0xfe).
GARBAGE = b"\x80\xfe"


def apply(body: str, fault: str) -> bytes | None:
    """The answer `body` (JSON) with `fault` applied, or None when it has no row to apply it to."""
    try:
        data = json.loads(body, parse_float=Decimal)
    except ValueError:
        return None
    rows = [row for rows in _row_lists(data) for row in rows]
    if fault == "bad_row":
        changed = False
        for rows_of_list in _row_lists(data):
            changed |= _set_amount(rows_of_list[len(rows_of_list) // 2], lambda _v: {"unexpected": True})
        return dumps(data).encode() if changed else None
    for row in rows:
        if fault == "zero_row" and _set_amount(row, _zero):
            return dumps(data).encode()
        if fault == "tiny_amount" and _set_amount(row, _tiny):
            return dumps(data).encode()
        if fault == "fee_over" and _fee_over(row):
            return dumps(data).encode()
        if fault == "garbled" and _garble(row):
            return dumps(data).encode().replace(json.dumps(_MARK)[1:-1].encode(), GARBAGE)
    return None


def _row_lists(data: Any) -> list[list[dict[str, Any]]]:
    """Every list of objects holding an amount, depth first."""
    found = []
    if isinstance(data, dict):
        for value in data.values():
            found += _row_lists(value)
    elif isinstance(data, list):
        if data and all(isinstance(r, dict) for r in data) and any(k in data[0] for k in AMOUNT_KEYS):
            found.append(data)
        for value in data:
            found += _row_lists(value)
    return found


def _set_amount(row: dict[str, Any], change: Any) -> bool:
    for key in AMOUNT_KEYS:
        if key in row:
            row[key] = change(row[key])
            return True
    return False


def _zero(value: Any) -> Any:
    if isinstance(value, str):
        return "0.00000000" if "." in value else "0"
    if isinstance(value, Decimal):
        return Decimal("-0.0") if value < 0 else Decimal("0.0")
    return 0


def _tiny(value: Any) -> Any:
    return "1e-2000" if isinstance(value, str) else Decimal("1E-2000")


def _fee_over(row: dict[str, Any]) -> bool:
    for holder in (row, row.get("payout_extra")):
        if not isinstance(holder, dict):
            continue
        for key in FEE_KEYS:
            if key in holder:
                amount = row.get("amount_sats", row.get("changed_balance"))
                if isinstance(amount, int):
                    holder[key] = amount + 1
                elif isinstance(amount, Decimal):
                    holder[key] = abs(amount) + Decimal("0.00000001")
                else:
                    continue
                return True
    return False


def _garble(row: dict[str, Any]) -> bool:
    for holder in (row, *(v for v in row.values() if isinstance(v, dict))):
        for key, value in holder.items():
            if isinstance(value, str) and _GARBLE_TARGET.fullmatch(value):
                holder[key] = value[:10] + _MARK + value[10:]
                return True
    return False
