"""The simulator playing the custodian: it takes approved transfers over HTTP, broadcasts
each on the simulated chain after a delay, and reports it until it is confirmed.

    POST /custody/v1/transfers {"reference", "chain", "asset", "from", "to", "amount"}
        -> 201 the transfer (200 when the reference was already submitted with the same
        terms; 409 with other terms; 400 for a bad field)
    GET  /custody/v1/transfers/{id} -> the transfer; 404 unknown
    POST /__sim/custody {"fault"?, "reference"?, "delay_s"?, "drop_after_blocks"?}
        sets the fault for one reference (or for every new transfer without "reference");
        "fault": null clears it; "delay_s" and "drop_after_blocks" are global

A transfer: {"id", "reference", "status", "chain", "asset", "from", "to", "amount" (decimal
string), "txid", "fee", "fee_asset", "confirmations", "replaced", "created_at"}; statuses as
desk/feeds/custody.py lists them. Faults, decided when the transfer is submitted:

    never_confirms  broadcast, never mined; dropped after `drop_after_blocks` blocks
    replaced        broadcast, never mined; one block later a replacement paying twice the
                    fee (new txid) is broadcast and mined as usual; the first is "replaced"
    double_spent    broadcast, never mined; one block later it is dropped and a different tx
                    spends the same coins to an outsider: the transfer has "failed"

Everything happens lazily from the simulated clock and the chains' tips, checked before
every read of the custodian or of a chain, so a test that mines a block or moves the clock
sees the consequences on its next request.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from aiohttp import web

from desk.sim.chain import OUTSIDER, ChainSim
from desk.sim.ledger import LedgerTx
from desk.sim.state import TOKEN, json_response

#: The asset each simulated chain carries, its base-unit decimals, and the fee's own asset.
ASSETS = {"bitcoin": ("BTC", 8, "BTC", 8), "bsc": ("BNB", 18, "BNB", 18), "solana": ("KZTE", 6, "SOL", 9)}
FAULTS = ("never_confirms", "replaced", "double_spent")


@dataclass(slots=True)
class SimTransfer:
    id: str
    reference: str
    chain: str
    asset: str
    sender: str
    to: str
    amount: str
    units: int
    created_at: datetime
    fault: str | None
    txs: list[LedgerTx] = field(default_factory=list)
    failed: bool = False

    def terms(self) -> tuple[str, str, str, str, int]:
        return (self.chain, self.asset, self.sender, self.to, self.units)


class Custodian:
    """The custodian's state; `advance` runs before every read (see the module)."""

    def __init__(
        self, chain: ChainSim, *, delay_s: float = 2.0, drop_after_blocks: int = 6
    ) -> None:  # float-ok: seconds
        self.chain = chain
        self.delay_s = delay_s
        self.drop_after_blocks = drop_after_blocks
        self.fault: str | None = None
        self.faults: dict[str, str | None] = {}
        self.transfers: dict[str, SimTransfer] = {}
        chain.ledger.before_read.append(self.advance)

    def set_fault(self, fault: str | None, reference: str | None = None) -> None:
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown custody fault {fault!r}; one of {', '.join(FAULTS)}")
        if reference is None:
            self.fault = fault
        else:
            self.faults[reference] = fault

    def submit(self, body: Any) -> tuple[SimTransfer, bool]:
        """(the transfer, whether it is new); ValueError for a bad field, LookupError for a
        reference reused with other terms."""
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        reference, chain, asset = _text(body, "reference"), _text(body, "chain"), _text(body, "asset")
        if chain not in ASSETS:
            raise ValueError(f"chain: {chain!r} is not one of {', '.join(ASSETS)}")
        code, decimals, _, _ = ASSETS[chain]
        if asset != code:
            raise ValueError(f"asset: {chain} carries {code}, not {asset!r}")
        units = _units(body.get("amount"), decimals)
        sender, to = _text(body, "from"), _text(body, "to")
        if chain == "bsc":
            sender, to = sender.lower(), to.lower()
        existing = next((t for t in self.transfers.values() if t.reference == reference), None)
        if existing is not None:
            if existing.terms() != (chain, asset, sender, to, units):
                raise LookupError(f"reference {reference!r} was already submitted with other terms")
            return existing, False
        number = len(self.transfers) + 1
        transfer_id = "tr_" + hashlib.sha256(f"{reference}:{number}".encode()).hexdigest()[:16]
        fault = self.faults.get(reference, self.fault)
        now = self.chain.state.now()
        transfer = SimTransfer(transfer_id, reference, chain, asset, sender, to, str(body["amount"]), units, now, fault)
        self.transfers[transfer_id] = transfer
        self.advance()
        return transfer, True

    def advance(self) -> None:
        """Broadcast what is due, then apply each fault whose block has come."""
        ledger = self.chain.ledger
        now = self.chain.state.now()
        for t in self.transfers.values():
            if not t.txs:
                if now >= t.created_at + timedelta(seconds=self.delay_s):
                    t.txs.append(ledger.broadcast(t.chain, t.sender, t.to, t.units, mined=t.fault is None))
                continue
            tx = t.txs[-1]
            if tx.gone is not None or tx.height is not None:
                continue
            tip = ledger.tip(t.chain)
            if t.fault == "never_confirms" and tip >= tx.seen_tip + self.drop_after_blocks:
                ledger.drop(tx.txid)
            elif t.fault == "replaced" and tip >= tx.seen_tip + 1:
                t.txs.append(ledger.replace_by_fee(tx.txid))
            elif t.fault == "double_spent" and tip >= tx.seen_tip + 1:
                ledger.double_spend(tx.txid, OUTSIDER[t.chain])
                t.failed = True

    def view(self, transfer: SimTransfer) -> dict[str, Any]:
        self.advance()
        _, _, fee_asset, fee_decimals = ASSETS[transfer.chain]
        tx = transfer.txs[-1] if transfer.txs else None
        tip = self.chain.ledger.tip(transfer.chain)
        status, confirmations = "pending", 0
        if tx is not None:
            chain_status = tx.status(tip)
            status = {"mempool": "broadcast", "confirmed": "confirmed", "dropped": "dropped"}.get(
                chain_status, "failed"
            )
            if transfer.failed:
                status = "failed"
            if chain_status == "confirmed" and tx.height is not None:
                confirmations = tip - tx.height + 1
        return {
            "id": transfer.id,
            "reference": transfer.reference,
            "status": status,
            "chain": transfer.chain,
            "asset": transfer.asset,
            "from": transfer.sender,
            "to": transfer.to,
            "amount": transfer.amount,
            "txid": tx.txid if tx else None,
            "fee": str(Decimal(tx.fee).scaleb(-fee_decimals)) if tx else None,
            "fee_asset": fee_asset,
            "confirmations": confirmations,
            "replaced": [old.txid for old in transfer.txs[:-1]],
            "created_at": transfer.created_at.isoformat(),
        }


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key}: a non-empty string is required")
    return value.strip()


def _units(value: Any, decimals: int) -> int:
    """A positive decimal string as whole base units; more decimals than the chain has is refused."""
    if not isinstance(value, str):
        raise ValueError("amount: a decimal string is required (never a JSON number)")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"amount: {value[:40]!r} is not a decimal number") from None
    units = number.scaleb(decimals)
    if not number.is_finite() or number <= 0 or units != units.to_integral_value():
        raise ValueError(f"amount: {value[:40]!r} is not a positive amount with at most {decimals} decimals")
    return int(units)


def routes(custodian: Custodian) -> list[web.RouteDef]:
    def refused(status: int, reason: str) -> web.Response:
        return json_response({"error": reason}, status=status)

    def authorised(request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {TOKEN}"

    async def submit(request: web.Request) -> web.Response:
        if not authorised(request):
            return refused(401, "missing or wrong bearer token")
        try:
            body = await request.json()
            transfer, new = custodian.submit(body)
        except ValueError as exc:
            return refused(400, str(exc))
        except LookupError as exc:
            return refused(409, str(exc.args[0]))
        return json_response(custodian.view(transfer), status=201 if new else 200)

    async def status(request: web.Request) -> web.Response:
        if not authorised(request):
            return refused(401, "missing or wrong bearer token")
        transfer = custodian.transfers.get(request.match_info["id"])
        if transfer is None:
            return refused(404, f"no transfer {request.match_info['id'][:40]}")
        return json_response(custodian.view(transfer))

    async def control(request: web.Request) -> web.Response:
        try:
            body = await request.json()
            if "fault" in body:
                custodian.set_fault(body["fault"], body.get("reference"))
            if "delay_s" in body:
                custodian.delay_s = float(body["delay_s"])  # float-ok: seconds
            if "drop_after_blocks" in body:
                custodian.drop_after_blocks = int(body["drop_after_blocks"])
        except (ValueError, TypeError, AttributeError) as exc:
            return refused(400, str(exc))
        return json_response({"fault": custodian.fault, "faults": custodian.faults, "delay_s": custodian.delay_s})

    return [
        web.post("/custody/v1/transfers", submit),
        web.get("/custody/v1/transfers/{id}", status),
        web.post("/__sim/custody", control),
    ]
