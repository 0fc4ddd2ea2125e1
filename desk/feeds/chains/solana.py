"""Solana JSON-RPC: the KZTE held by an owner, from `getTokenAccountsByOwner` with the mint
filter and `jsonParsed` encoding.

An owner may hold several token accounts of the mint; their `tokenAmount.amount` (an integer
string in base units, `decimals` beside it) are summed exactly. The float `uiAmount` is
ignored. The answer's `context.slot` is the slot the balance is as of.

Movements (`movements`): the owner's token accounts of the mint (getTokenAccountsByOwner),
the newest signatures of each (getSignaturesForAddress, which also lists the ones only
"processed": reported as "mempool" until a supermajority confirms them), and each landed
transaction once (getTransaction, jsonParsed; a landed transaction never changes, so its
change is remembered). Signatures the caller has in flight (`tracked`) and that are not
listed are asked with getSignatureStatuses. A failed transaction moved no token and is left
out. Confirmations are slots from the tx's slot to the tip (getSlot), inclusive.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date

from desk.config import DeskSettings
from desk.feeds.chains.base import ChainError, JsonRpcClient, integer_text, units_to_amount
from desk.feeds.chains.movements import PendingMemory, Seen, confirmations, read_movements, read_row
from desk.feeds.chains.records import ChainBalance, ChainMovement
from desk.feeds.chains.solana_txs import SignatureRow, TokenChange, signature, signature_row, slot_of, token_change
from desk.feeds.errors import Malformed
from desk.feeds.http import HttpClient
from desk.feeds.parsing import as_list, field
from desk.feeds.records import Refusal
from desk.money import KZTE, Amount, Asset

CHAIN = "solana"
#: Signatures read per token account and call (newest first).
SIGNATURES = 25
COMMITMENT = {"commitment": "confirmed"}
#: Landed changes remembered at most (oldest forgotten first; read again if asked).
CHANGES_KEPT = 10_000


class SolanaClient(JsonRpcClient):
    def __init__(self, rpc_url: str, mint: str, http: HttpClient, *, asset: Asset = KZTE, name: str = "solana") -> None:
        super().__init__(name, rpc_url, http)
        self.mint = mint
        self.asset = asset
        self._changes: dict[tuple[str, str], TokenChange] = {}  # (owner, signature) -> landed change
        self._pending = PendingMemory()
        #: the rows the last `movements` call refused alone (the others were kept)
        self.refused: list[Refusal] = []

    async def balance(self, owner: str) -> ChainBalance:
        params = [owner, {"mint": self.mint}, {"encoding": "jsonParsed"}]
        result = await self.rpc("getTokenAccountsByOwner", params)
        where = f"{self.name} getTokenAccountsByOwner({owner})"
        slot = field(field(result, "context", where), "slot", f"{where}.context")
        if not isinstance(slot, int) or slot < 0:
            raise Malformed(f"{where}.context.slot: {slot!r} is not a slot")
        total = Amount.zero(self.asset)
        for i, account in enumerate(as_list(field(result, "value", where), f"{where}.value")):
            total += self._holding(account, f"{where}.value[{i}]")
        return ChainBalance(CHAIN, owner, total, slot, self.http.clock.now())

    def _holding(self, account: object, where: str) -> Amount:
        data = field(field(account, "account", where), "data", f"{where}.account")
        info = field(field(data, "parsed", f"{where}.data"), "info", f"{where}.data.parsed")
        if field(info, "mint", f"{where}.info") != self.mint:
            raise ChainError(f"{where}.info.mint: the node returned a token account of another mint")
        token = field(info, "tokenAmount", f"{where}.info")
        decimals = field(token, "decimals", f"{where}.tokenAmount")
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 18:
            raise Malformed(f"{where}.tokenAmount.decimals: {decimals!r} is not a token precision")
        units = integer_text(field(token, "amount", f"{where}.tokenAmount"), f"{where}.tokenAmount.amount")
        return units_to_amount(units, decimals, self.asset, f"{where}.tokenAmount.amount")

    async def movements(self, owner: str, tracked: Collection[str] = ()) -> list[ChainMovement]:
        """The KZTE movements of `owner` (see the module); then, once each, the processed
        ones this client reported that vanished, as "dropped"."""
        tip = slot_of(await self.rpc("getSlot", [COMMITMENT]), f"{self.name} getSlot")
        self.refused = []
        today = self.http.clock.now().date()
        rows: dict[str, SignatureRow] = {}
        for account in await self._token_accounts(owner):
            where = f"{self.name} getSignaturesForAddress({account})"
            listed = await self.rpc("getSignaturesForAddress", [account, {"limit": SIGNATURES, **COMMITMENT}])
            for row in read_movements(as_list(listed, where), where, signature_row, self.refused, today):
                rows.setdefault(row.signature, row)
        wanted = sorted({signature(t, f"{self.name} movements: tracked signature") for t in tracked} - set(rows))
        for row in await self._statuses(wanted, today):
            rows[row.signature] = row
        seen = [s for s in [await self._seen(owner, row, tip, today) for row in rows.values()] if s is not None]
        vanished = self._pending.missing(owner, seen)
        still = {row.signature for row in await self._statuses([v.movement.txid for v in vanished], today)}
        gone = [self._pending.gone(v, seen) for v in vanished if v.movement.txid not in still]
        self._pending.note(seen)
        return [s.movement for s in seen] + gone

    async def _token_accounts(self, owner: str) -> list[str]:
        params = [owner, {"mint": self.mint}, {"encoding": "jsonParsed"}]
        result = await self.rpc("getTokenAccountsByOwner", params)
        where = f"{self.name} getTokenAccountsByOwner({owner})"
        value = as_list(field(result, "value", where), f"{where}.value")
        return [str(field(account, "pubkey", f"{where}.value[{i}]")) for i, account in enumerate(value)]

    async def _statuses(self, signatures: list[str], today: date) -> list[SignatureRow]:
        """getSignatureStatuses of `signatures`, searching the whole history; unknown ones left out."""
        if not signatures:
            return []
        config = {"searchTransactionHistory": True}
        result = await self.rpc("getSignatureStatuses", [signatures, config])
        where = f"{self.name} getSignatureStatuses"
        values = as_list(field(result, "value", where), f"{where}.value")
        found = []
        for i, (sig, value) in enumerate(zip(signatures, values, strict=False)):
            if value is not None:
                row = read_row(
                    value, f"{where}.value[{i}]", lambda v, h, s=sig: signature_row(v, h, s), self.refused, today
                )
                found += [row] if row is not None else []
        return found

    async def _seen(self, owner: str, row: SignatureRow, tip: int, today: date) -> Seen | None:
        if row.failed:
            return None
        change = self._changes.get((owner, row.signature))
        if change is None:
            where = f"{self.name} getTransaction({row.signature[:16]}...)"
            config = {"encoding": "jsonParsed", "maxSupportedTransactionVersion": 0, **COMMITMENT}
            tx = await self.rpc("getTransaction", [row.signature, config])
            if tx is None:
                return None  # listed but not served yet: read it next time
            change = read_row(tx, where, lambda t, h: token_change(t, owner, self.mint, h), self.refused, today)
            if change is None:
                return None
            if row.status != "processed":
                self._changes[(owner, row.signature)] = change
                if len(self._changes) > CHANGES_KEPT:
                    self._changes.pop(next(iter(self._changes)))
        if change.delta == 0:
            return None
        return read_row(
            change, f"{self.name} tx {row.signature[:16]}...", self._movement(owner, row, tip), self.refused, today
        )

    def _movement(self, owner: str, row: SignatureRow, tip: int) -> Callable[[TokenChange, str], Seen]:
        """How a landed change becomes the owner's movement (its amount at desk's precision:
        a change below it is refused, never rounded)."""

        def build(change: TokenChange, where: str) -> Seen:
            landed = row.status != "processed"
            movement = ChainMovement(
                chain=CHAIN,
                txid=row.signature,
                address=owner,
                direction="in" if change.delta > 0 else "out",
                amount=units_to_amount(abs(change.delta), change.decimals, self.asset, f"{where} amount"),
                fee=None,
                counterparty=change.counterparty,
                block_height=change.slot if landed else None,
                block_time=change.block_time if landed else None,
                confirmations=confirmations(tip, change.slot) if landed else 0,
                status="confirmed" if landed else "mempool",
            )
            return Seen(movement)

        return build


def solana_client(settings: DeskSettings, http: HttpClient) -> SolanaClient:
    """The Solana client of a DeskSettings; ChainError when no KZTE mint is configured."""
    mint = settings.chains.solana.kzte_mint
    if not mint:
        raise ChainError("solana: no chains.solana.kzte_mint configured")
    return SolanaClient(settings.chains.solana.rpc_url, mint, http, asset=settings.asset("KZTE"))
