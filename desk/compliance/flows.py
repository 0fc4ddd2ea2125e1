"""The flows sell-through is judged on: for each stretch of a period governed by one rule,
how much of each asset was mined, sold on eligible venues, sold elsewhere and moved into the
reserve (coin units, and KZT values on the fiat basis). Kept apart from the judgement in
desk.compliance.selling because this is the part that walks the register (each kind of entry
once per stretch) and so the part whose cost grows with its size.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from itertools import pairwise

from desk.compliance.periods import Period
from desk.compliance.tables import boundaries, in_force
from desk.config import DeskSettings, SellRuleSettings
from desk.money import Amount, Asset
from desk.register import Entry, PageFilter, Register
from desk.valuation.prices import Valued

Valuer = Callable[[Register, Amount, datetime, str], Awaitable[Valued]]


class ComplianceError(ValueError):
    """A period that cannot be judged as asked (e.g. it mixes bases)."""


@dataclass(frozen=True, slots=True)
class Stretch:
    """A part of the period governed by one rule (or by none: nothing owed there)."""

    first: date
    after: date
    rule: SellRuleSettings | None

    @property
    def since(self) -> datetime:
        return datetime.combine(self.first, time(0), tzinfo=UTC)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.after, time(0), tzinfo=UTC)


@dataclass(slots=True)
class Flows:
    """Coin units per bucket, and (fiat basis) KZT values."""

    mined: int = 0
    eligible: int = 0
    elsewhere: int = 0
    reserve: int = 0
    mined_kzt: Decimal = Decimal(0)
    counted_kzt: Decimal = Decimal(0)
    by_venue: dict[str, int] = field(default_factory=dict)


def eligible_venues(settings: DeskSettings, rule: SellRuleSettings) -> frozenset[str]:
    if rule.venues:
        return frozenset(rule.venues)
    return frozenset(name for name, venue in settings.venues.items() if venue.eligible)


def stretches(rules: Sequence[SellRuleSettings], period: Period) -> list[Stretch]:
    cuts = boundaries(rules, period.first, period.after)
    result = []
    for first, after in pairwise(cuts):
        governing = in_force(rules, first)
        if len(governing) > 1:
            names = ", ".join(r.id for r in governing)
            raise ComplianceError(f"sell-through rules {names} are all in force on {first}: the schedule overlaps")
        result.append(Stretch(first, after, governing[0] if governing else None))
    return result


def _exchange(account: str) -> str | None:
    return account.split(":", 2)[2] if account.startswith("assets:exchange:") else None


def _sale(flows: Flows, posting_account: str, units: int, venues: frozenset[str]) -> bool:
    """Add `units` sold from `posting_account`; return whether it counts as eligible."""
    venue = _exchange(posting_account)
    if venue is not None:
        flows.by_venue[venue] = flows.by_venue.get(venue, 0) + units
    if venue is not None and venue in venues:
        flows.eligible += units
        return True
    flows.elsewhere += units
    return False


async def stretch_flows(
    register: Register,
    settings: DeskSettings,
    stretch: Stretch,
    assets: Sequence[Asset],
    valuer: Valuer | None,
    now: datetime,
) -> dict[str, Flows]:
    """Mined, sold and moved to reserve of each of `assets` within one stretch, as of `now`
    (what is recorded after `now` is not yet known then). Each kind of entry is walked once
    for every asset."""
    flows = {asset.code: Flows() for asset in assets}
    since, until = stretch.since, min(stretch.until, now)
    if until <= since:
        return flows
    opening, closing = await register.balances(at=since), await register.balances(at=until)
    for (account, code), amount in closing.items():
        if account.startswith("income:mining:") and code in flows:
            flows[code].mined -= amount.units
    for (account, code), amount in opening.items():
        if account.startswith("income:mining:") and code in flows:
            flows[code].mined += amount.units
    venues = eligible_venues(settings, stretch.rule) if stretch.rule else frozenset()
    counts_reserve = bool(stretch.rule and stretch.rule.reserve_transfers_count)
    for kind in ("conversion", "purchase", "reversal", "transfer"):
        async for entry in register.walk(PageFilter(kind=kind, since=since, until=until)):
            for posting in entry.postings:
                found = flows.get(posting.asset.code)
                if found is None:
                    continue
                units = posting.amount.units
                priced = entry.price is not None
                if kind in ("conversion", "purchase") and units < 0:
                    eligible = _sale(found, posting.account, -units, venues)
                    if valuer and eligible:
                        found.counted_kzt += await kzt(register, valuer, -posting.amount, entry.ts)
                elif kind == "reversal" and priced and units > 0:
                    if (entry.details or {}).get("reverses_kind") != "purchase":
                        eligible = _sale(found, posting.account, -units, venues)
                        if valuer and eligible:
                            found.counted_kzt -= await kzt(register, valuer, posting.amount, entry.ts)
                elif not priced and posting.account.startswith("assets:reserve:") and _moves_holdings(entry):
                    found.reserve += units
                    if valuer and counts_reserve:
                        found.counted_kzt += (1 if units > 0 else -1) * await kzt(
                            register, valuer, abs(posting.amount), entry.ts
                        )
    if valuer:
        async for entry in register.walk(PageFilter(kind="earning", since=since, until=until)):
            for posting in entry.postings:
                if posting.asset.code in flows and posting.account.startswith("income:mining:"):
                    flows[posting.asset.code].mined_kzt += await kzt(register, valuer, -posting.amount, entry.ts)
    return flows


async def ever_mined(register: Register, asset: Asset) -> bool:
    """Whether any pool has ever credited `asset` (mining income balances are O(1) reads)."""
    for account in register.accounts():
        if account.startswith("income:mining:") and (await register.balance(account, asset.code)).units:
            return True
    return False


def _moves_holdings(entry: Entry) -> bool:
    """A transfer, or the reversal of one: only asset accounts (a seizure's reversal, which
    touches income, is not a transfer out of the reserve)."""
    return all(p.account.startswith("assets:") for p in entry.postings)


async def kzt(register: Register, valuer: Valuer, amount: Amount, at: datetime) -> Decimal:
    """The KZT value of a positive `amount`; a negative one is valued by its size, negated."""
    sign = -1 if amount.value < 0 else 1
    valued = await valuer(register, abs(amount), at, "KZT")
    return sign * valued.value
