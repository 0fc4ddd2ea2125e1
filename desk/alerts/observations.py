"""What the alert rules look at: a plain snapshot of the desk's state at one moment.

Gathering it (desk.alerts.observe) reads the register and the owning modules; judging it
(desk.alerts.engine) is pure, so every trigger is tested with a fixed clock and hand-made
observations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class FeedStatus:
    name: str
    state: str  # ok | stale | degraded | down | waiting
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ComplianceStatus:
    """One period and asset of the sell-through obligation, in desk.compliance's words:
    `state` is ok, amber (behind pace) or red (past due, short of the share)."""

    subject: str
    state: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class OpenBreak:
    """A reconciliation break nobody has explained yet."""

    subject: str
    detail: str


@dataclass(frozen=True, slots=True)
class Observations:
    at: datetime
    #: (asset, currency) -> the latest price; only the markets some rule watches
    prices: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)
    #: the network hashprice now, USD per PH/s per day (None: not known)
    hashprice: Decimal | None = None
    #: pool -> when it last paid out (None: never)
    last_payouts: Mapping[str, datetime | None] = field(default_factory=dict)
    compliance: tuple[ComplianceStatus, ...] = ()
    breaks: tuple[OpenBreak, ...] = ()
    feeds: tuple[FeedStatus, ...] = ()
    #: what could not be observed and why (a module missing, no price), for the log
    gaps: tuple[str, ...] = ()
