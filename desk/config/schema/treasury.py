"""The treasury's sections: operators' roles (`[roles]`) and the policy's starting point
(`[policy]`: allowlist, limits, quorums); changes approved in desk add to it."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from desk.config.schema.base import Section

RoleName = Literal["viewer", "maker", "checker", "admin", "auditor"]
LimitWindow = Literal["transfer", "day", "month"]
ValueCurrency = Literal["KZT", "USD", "USDT"]


class _Measured(Section):
    """In an asset's units (`asset`) or in value (`currency`): exactly one of the two."""

    asset: str | None = None
    currency: ValueCurrency | None = None

    @model_validator(mode="after")
    def _one_unit(self) -> _Measured:
        if (self.asset is None) == (self.currency is None):
            raise ValueError("give exactly one of asset (amounts) or currency (value)")
        return self


class LimitSettings(_Measured):
    """What may leave per transfer, per UTC day or per calendar month: strictly below `below`."""

    per: LimitWindow
    below: Annotated[Decimal, Field(gt=0)]


class QuorumSettings(_Measured):
    """Drafts worth `at_least` or more need `approvals` distinct checkers (never the maker)."""

    at_least: Annotated[Decimal, Field(gt=0)]
    approvals: Annotated[int, Field(ge=2, le=9)]


class PolicySettings(Section):
    """The treasury policy's starting point; changes made in desk (maker-checker) add to it."""

    allowlist: dict[str, list[str]] = Field(default_factory=dict)
    limits: list[LimitSettings] = Field(default_factory=list)
    quorums: list[QuorumSettings] = Field(default_factory=list)
