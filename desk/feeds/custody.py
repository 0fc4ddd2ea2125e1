"""The custodian's API, as desk uses it: submit an approved transfer, then follow it.

desk holds no keys. Once a transfer is approved, `CustodianClient.submit` hands it to the
custodian (`POST {url}/custody/v1/transfers`), which signs and broadcasts it; `status`
(`GET {url}/custody/v1/transfers/{id}`) follows it. The submission is idempotent by
`reference` (the draft's id): submitting the same draft again, after a crash or a retry,
answers the transfer already made instead of paying twice; the same reference with other
terms is refused (HTTP 409) as a `CustodyError`.

A transfer's `status` as the custodian says it:
    pending     accepted, not broadcast yet
    broadcast   on the chain's mempool: `txid` and usually `fee` are known
    confirmed   mined; `confirmations` counts the blocks, from the chain's tip
    dropped     left the mempool unmined (never confirmed); the coins did not move
    failed      the coins were spent elsewhere (double-spent); the transfer did not happen
A fee bump (replace-by-fee) keeps the transfer and changes its `txid`: the earlier ones are
in `replaced`, oldest first. `fee` is None when the chain charges it in another asset than
the one moved (KZTE on Solana pays in SOL).

The chain watch remains the judge: what the custodian says is matched against what the
chain shows (desk/feeds/chains), never taken alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import SecretStr

from desk.config import DeskSettings
from desk.feeds.errors import FeedError, Malformed
from desk.feeds.http import HttpClient, Response
from desk.feeds.parsing import as_list, decimal, field, loads, text
from desk.money import Amount, Asset, MoneyError

PATH = "/custody/v1/transfers"
STATUSES = ("pending", "broadcast", "confirmed", "dropped", "failed")


class CustodyError(FeedError):
    """The custodian refused a request (a bad amount, an unknown transfer, a reference reused
    with other terms); the text is the custodian's own reason."""


@dataclass(frozen=True, slots=True)
class CustodyTransfer:
    """A transfer as the custodian reports it (see the module for the statuses)."""

    id: str
    reference: str
    status: str
    chain: str
    amount: Amount
    txid: str | None
    fee: Amount | None
    confirmations: int
    replaced: tuple[str, ...] = ()


class CustodianClient:
    def __init__(self, url: str, http: HttpClient, *, token: SecretStr | None = None, name: str = "custody") -> None:
        self.name = name
        self.url = url.rstrip("/")
        self.http = http
        self._token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token.get_secret_value()}"} if self._token else {}

    async def submit(
        self, reference: str, chain: str, source: str, destination: str, amount: Amount
    ) -> CustodyTransfer:
        """Ask the custodian to send `amount` from `source` to `destination` on `chain`;
        the same `reference` again answers the transfer already made."""
        body = {
            "reference": reference,
            "chain": chain,
            "asset": amount.asset.code,
            "from": source,
            "to": destination,
            "amount": str(amount.value),
        }
        response = await self.http.request("POST", self.url + PATH, headers=self._headers(), json_body=body)
        return self._transfer(response, f"{self.name} POST {PATH}", amount.asset)

    async def status(self, transfer_id: str, asset: Asset) -> CustodyTransfer:
        """The transfer's state now; `asset` is the one it moves (its precision reads the amounts)."""
        path = f"{PATH}/{transfer_id}"
        response = await self.http.request("GET", self.url + path, headers=self._headers())
        return self._transfer(response, f"{self.name} GET {path}", asset)

    def _transfer(self, response: Response, where: str, asset: Asset) -> CustodyTransfer:
        data = loads(response.text, where) if response.text.strip()[:1] in ("{", "[") else None
        if response.status >= 400:
            reason = data.get("error") if isinstance(data, dict) else response.text.strip()[:160]
            raise CustodyError(f"{where}: HTTP {response.status}: {reason}")
        status = field(data, "status", where)
        if status not in STATUSES:
            raise Malformed(f"{where}.status: {status!r} is not one of {', '.join(STATUSES)}")
        if field(data, "asset", where) != asset.code:
            raise Malformed(f"{where}.asset: {data['asset']!r} is not {asset.code}")
        confirmations = field(data, "confirmations", where)
        if isinstance(confirmations, bool) or not isinstance(confirmations, int) or confirmations < 0:
            raise Malformed(f"{where}.confirmations: {confirmations!r} is not a count of blocks")
        fee_asset = data.get("fee_asset")
        fee = data.get("fee")
        return CustodyTransfer(
            id=text(field(data, "id", where), f"{where}.id") or "",
            reference=text(field(data, "reference", where), f"{where}.reference") or "",
            status=status,
            chain=text(field(data, "chain", where), f"{where}.chain") or "",
            amount=_amount(field(data, "amount", where), asset, f"{where}.amount"),
            txid=text(data.get("txid"), f"{where}.txid", optional=True),
            fee=_amount(fee, asset, f"{where}.fee") if fee is not None and fee_asset == asset.code else None,
            confirmations=confirmations,
            replaced=tuple(str(t) for t in as_list(data.get("replaced", []), f"{where}.replaced")),
        )


def _amount(value: Any, asset: Asset, where: str) -> Amount:
    """A decimal string of the asset, exact at its precision (never through float)."""
    if not isinstance(value, str):
        raise Malformed(f"{where}: expected a decimal string, got {type(value).__name__}")
    number = decimal(value, where)
    if number is None:
        raise Malformed(f"{where}: empty")
    try:
        return Amount(asset, Decimal(number))
    except MoneyError as exc:
        raise Malformed(f"{where}: {exc}") from None


def custodian_client(settings: DeskSettings, http: HttpClient) -> CustodianClient | None:
    """The custodian of a DeskSettings (`[custody] url`); None when none is configured."""
    if not settings.custody.url:
        return None
    return CustodianClient(settings.custody.url, http, token=settings.custody.token)
