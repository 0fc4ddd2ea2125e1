"""The feeds' sections: mining pool accounts (`[pools.<name>]`) and price sources
(`[prices]`, `[prices.sources.<name>]`), with the public URL of each kind."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, SecretStr, model_validator

from desk.config.schema.base import HttpUrl, Name, Section, check_url

PoolKind = Literal["braiins", "f2pool", "foundry", "ocean"]
PriceKind = Literal["binance", "binance_ws", "kraken", "coinbase", "nbk"]

DEFAULT_POOL_URLS: dict[str, str] = {
    "braiins": "https://pool.braiins.com",
    "f2pool": "https://api.f2pool.com",
    "foundry": "https://api.foundryusapool.com",
    "ocean": "https://api.ocean.xyz",
}
DEFAULT_PRICE_URLS: dict[str, str] = {
    "binance": "https://api.binance.com",
    "binance_ws": "wss://stream.binance.com:9443",
    "kraken": "https://api.kraken.com",
    "coinbase": "https://api.exchange.coinbase.com",
    "nbk": "https://nationalbank.kz",
}


class PoolSettings(Section):
    """One mining pool account; the table's key in `[pools.<name>]` is its name."""

    kind: PoolKind
    base_url: HttpUrl | None = None
    token: SecretStr | None = None
    user: str | None = None
    address: str | None = None
    pays_into: Name = "ops"
    enabled: bool = True

    @model_validator(mode="after")
    def _identity(self) -> PoolSettings:
        if self.kind == "f2pool" and not (self.user or self.address):
            raise ValueError("f2pool needs `user` (mining user name) or `address`")
        if self.kind in {"foundry", "ocean"} and not self.user:
            raise ValueError(f"{self.kind} needs `user` (the sub-account or payout address)")
        return self

    @property
    def needs_token(self) -> bool:
        """A token is required to poll, but its absence is the feed's state, not a config
        error: the file can be checked and shared before the secrets are in place."""
        return self.kind in {"braiins", "f2pool", "foundry"} and self.token is None

    @property
    def url(self) -> str:
        return (self.base_url or DEFAULT_POOL_URLS[self.kind]).rstrip("/")


class PriceSourceSettings(Section):
    """One price source; the table's key in `[prices.sources.<name>]` is its name."""

    kind: PriceKind
    base_url: str | None = None
    symbols: list[str] = Field(default_factory=list)
    enabled: bool = True

    @model_validator(mode="after")
    def _url_of_kind(self) -> PriceSourceSettings:
        """The streaming source speaks WebSocket, the others HTTP."""
        if self.base_url is not None:
            check_url(self.base_url, ("wss", "ws") if self.kind == "binance_ws" else ("https", "http"))
        return self

    @property
    def url(self) -> str:
        return (self.base_url or DEFAULT_PRICE_URLS[self.kind]).rstrip("/")


def _default_price_sources() -> dict[str, PriceSourceSettings]:
    return {
        "binance": PriceSourceSettings(kind="binance", symbols=["BTCUSDT", "BNBUSDT"]),
        "kraken": PriceSourceSettings(kind="kraken", symbols=["XBTUSD"]),
        "coinbase": PriceSourceSettings(kind="coinbase", symbols=["BTC-USD"]),
        "nbk": PriceSourceSettings(kind="nbk", symbols=["USD"]),
    }


class PricesSettings(Section):
    """Where prices come from and which currencies figures are reported in."""

    reporting: list[Literal["USD", "KZT", "BTC"]] = Field(default_factory=lambda: ["USD", "KZT"])
    sources: dict[Name, PriceSourceSettings] = Field(default_factory=_default_price_sources)
    kzte_peg: Decimal = Decimal(1)
