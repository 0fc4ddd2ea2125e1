"""`[transfers]`: how the chain watch follows an approved on-chain transfer to the end of its
life — how many confirmations settle it on each asset's chain, how long it may stay unmined
before it expires (and is returned to where it came from), and how often the chain is read."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from desk.config.schema.base import Section

#: Confirmations that settle a transfer, per asset: Bitcoin's customary depth for a desk,
#: BSC's fast-finality margin, and a Solana "finalized" slot depth.
DEFAULT_CONFIRMATIONS = {"BTC": 3, "BNB": 15, "KZTE": 32}


class TransfersSettings(Section):
    """The lifecycle of outgoing on-chain transfers (desk/transfers)."""

    confirmations: dict[str, Annotated[int, Field(ge=1, le=1000)]] = Field(
        default_factory=lambda: dict(DEFAULT_CONFIRMATIONS)
    )
    #: an approved transfer not mined within this many hours expires and is returned
    expiry_hours: Annotated[int, Field(ge=1, le=24 * 30)] = 24
    #: seconds between two reads of the watched addresses
    watch_interval: Annotated[int, Field(gt=0, le=86_400)] = 30

    @field_validator("confirmations", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        """Asset codes are upper case; configured depths add to or change the defaults."""
        if not isinstance(value, dict):
            return value
        return {**DEFAULT_CONFIRMATIONS, **{str(code).upper(): depth for code, depth in value.items()}}

    def required(self, asset: str) -> int:
        """The confirmations that settle a transfer of `asset` (1 for an asset not listed)."""
        return self.confirmations.get(asset, 1)
