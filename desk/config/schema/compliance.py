"""The law's sections: venues desk sells on (`[venues.<name>]`), and the effective-dated
tables of the sell-through schedule and the digital-mining fee (`[compliance]`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from desk.config.schema.base import Name, Section


class VenueSettings(Section):
    """An exchange the desk sells on; `[venues.<name>]` matches `assets:exchange:<name>`.
    `eligible` marks it licensed for the sell-through obligation (AIFC-licensed)."""

    eligible: bool = False
    licence: str = ""


class DatedRow(Section):
    """A row of an effective-dated table: in force from `effective_from` (inclusive) until
    `effective_to` (exclusive; open-ended when absent), with the text it comes from."""

    effective_from: date
    effective_to: date | None = None
    #: where the figure comes from: the law, article, date (shown with the figures)
    source: Annotated[str, Field(min_length=1)]
    #: show "verify against the current law" next to figures computed from this row
    verify: bool = True

    @model_validator(mode="after")
    def _dates(self) -> DatedRow:
        if self.effective_to is not None and self.effective_to <= self.effective_from:
            raise ValueError(f"effective_to {self.effective_to} must be after effective_from {self.effective_from}")
        return self


class SellRuleSettings(DatedRow):
    """One row of the sell-through schedule (desk/compliance/schedule.toml holds the default)."""

    id: Name
    #: the share that must be sold, 0 < share <= 1 (write it as text: "0.75")
    required_share: Annotated[Decimal, Field(gt=0, le=1)]
    basis: Literal["mined_coins", "fiat_revenue"] = "mined_coins"
    period: Literal["month", "quarter", "year"] = "month"
    #: venues whose sales count; empty: every `[venues.*]` marked eligible
    venues: list[Name] = Field(default_factory=list)
    #: whether transfers into the state reserve count as sold through
    reserve_transfers_count: bool = False


class FeeRateSettings(DatedRow):
    """One row of the digital-mining fee table (desk/compliance/fee_rates.toml by default)."""

    energy: Name
    kzt_per_kwh: Annotated[Decimal, Field(ge=0)]


class ComplianceSettings(Section):
    """The sell-through schedule and the mining-fee table; each replaces the shipped table
    when given (`[[compliance.rules]]`, `[[compliance.fee_rates]]`)."""

    rules: list[SellRuleSettings] = Field(default_factory=list)
    fee_rates: list[FeeRateSettings] = Field(default_factory=list)
