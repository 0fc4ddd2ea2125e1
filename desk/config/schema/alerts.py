"""`[[alerts]]`: the rules that turn a trigger into a notice, and which parameters each
kind of trigger needs and takes."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from desk.config.schema.base import Name, Section

AlertKind = Literal["price", "hashprice", "payout_missing", "compliance", "reconciliation", "feed"]
#: kind -> the trigger fields it needs (all of them) and may take
_ALERT_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "price": (("asset",), ("asset", "currency", "above", "below")),
    "hashprice": (("hashcost",), ("hashcost",)),
    "payout_missing": (("hours",), ("pool", "hours")),
    "compliance": ((), ()),
    "reconciliation": ((), ()),
    "feed": ((), ("feed", "states")),
}


class AlertSettings(Section):
    """One `[[alerts]]` rule: a trigger, its parameters, and how often it may speak."""

    kind: AlertKind
    name: Name | None = None
    enabled: bool = True
    level: Literal["info", "warning", "critical"] = "warning"
    #: seconds: the same rule and subject are not repeated within this
    debounce: Annotated[int, Field(ge=0, le=7 * 86_400)] = 3_600
    #: notices per rule per UTC day at most
    daily_cap: Annotated[int, Field(ge=1, le=10_000)] = 20
    asset: str | None = None
    currency: Literal["USD", "USDT", "KZT"] | None = None
    above: Annotated[Decimal, Field(gt=0)] | None = None
    below: Annotated[Decimal, Field(gt=0)] | None = None
    #: USD per PH/s per day: what running a PH/s costs
    hashcost: Annotated[Decimal, Field(gt=0)] | None = None
    pool: Name | None = None
    hours: Annotated[int, Field(gt=0, le=30 * 24)] | None = None
    feed: Name | None = None
    states: list[Literal["stale", "degraded", "down"]] | None = None

    @model_validator(mode="after")
    def _fields_of_kind(self) -> AlertSettings:
        needs, takes = _ALERT_FIELDS[self.kind]
        params = ("asset", "currency", "above", "below", "hashcost", "pool", "hours", "feed", "states")
        extra = [f for f in params if getattr(self, f) is not None and f not in takes]
        if extra:
            raise ValueError(f"a {self.kind} alert does not take {', '.join(extra)}")
        missing = [f for f in needs if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a {self.kind} alert needs {', '.join(missing)}")
        if self.kind == "price" and self.above is None and self.below is None:
            raise ValueError("a price alert needs a level: above, below or both")
        return self
