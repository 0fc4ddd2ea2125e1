"""Sell-through compliance: how much of what was mined in a period was sold through eligible
(AIFC-licensed) exchanges, against the share the schedule in force requires.

For each period and mined asset:

- mined: the net flow out of `income:mining:*` in the period (earnings, less any reversed);
- sold on eligible venues: the asset taken out of `assets:exchange:<venue>` by a conversion
  or a purchase paid in it, less conversions reversed, where the venue is eligible under the
  rule in force (the rule's own venue list, else every `[venues.*]` with `eligible = true`);
- sold elsewhere: the same on any other account (an unlicensed exchange, an OTC from a wallet);
- to reserve: the net flow into `assets:reserve:*` by transfers; it counts toward the share
  only where the rule says transfers into the state reserve count;
- retained: mined less all of the above (negative when older stock was sold too).

Coins are fungible and the register does not trace a sale to where its coins came from, so
selling seized or bought coins of the asset counts toward the share as well.

A period that the schedule splits (a rule changing on 1 January inside a year) is cut into
stretches; each stretch owes its own rule's share of what was mined in it, and the period
owes the sum. The required share shown is that sum over everything mined.

Status, with `elapsed` the fraction of the period gone (exact, by the second):

- red: the period is over and what counts is below what is required;
- amber: the period is running and the share so far is below the pace, required share x
  elapsed (a straight line from 0 at the start to the full share at the end, so selling in
  batches is not flagged early, and a desk that has not caught up near the end is);
- ok: otherwise, including when nothing was mined (nothing is owed).

The basis "fiat_revenue" measures both sides in KZT instead of coins: each earning valued
when it arrived, each sale when it was made (valuation at the official rate, see
desk.valuation). A period cannot mix bases; ask for a shorter one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise

from desk.compliance.periods import Period, period_of
from desk.compliance.tables import VERIFY_MARK, boundaries, in_force, sell_rules
from desk.config import DeskSettings, SellRuleSettings
from desk.money import Amount, Asset
from desk.register import Entry, PageFilter, Register
from desk.valuation.prices import PriceMissing, PricePolicy, Valued, value_of

Valuer = Callable[[Register, Amount, datetime, str], Awaitable[Valued]]
#: Two decimal places of KZT (tiyn), as figures are reported.
TIYN = Decimal("0.01")


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
class _Flows:
    """Coin units per bucket, and (fiat basis) KZT values."""

    mined: int = 0
    eligible: int = 0
    elsewhere: int = 0
    reserve: int = 0
    mined_kzt: Decimal = Decimal(0)
    counted_kzt: Decimal = Decimal(0)
    by_venue: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SellThrough:
    """One asset's standing in one period. Shares are fractions (0.75 = 75 %)."""

    period: Period
    asset: str
    basis: str
    mined: Amount
    sold_eligible: Amount
    sold_elsewhere: Amount
    to_reserve: Amount
    reserve_counts: bool
    counted: Amount
    retained: Amount
    #: counted / mined in the basis; None when nothing was mined
    share: Decimal | None
    #: what the rules require as a share of everything mined in the period
    required_share: Decimal
    #: in the basis: coins of the asset, or KZT for fiat_revenue
    required: Decimal
    counted_measure: Decimal
    #: counted - required in coins (negative: shortfall); None on the fiat basis
    gap: Amount | None
    gap_kzt: Decimal | None
    gap_kzt_note: str | None
    elapsed: Decimal
    pace_share: Decimal
    days_left: int
    due: date
    status: str
    venues: tuple[str, ...]
    by_venue: dict[str, Amount]
    rules: tuple[str, ...]
    sources: tuple[str, ...]
    verify: bool

    @property
    def verify_mark(self) -> str | None:
        return VERIFY_MARK if self.verify else None

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready data: amounts and shares as exact decimal strings."""

        def text(value: Decimal | Amount | None) -> str | None:
            if value is None:
                return None
            return value.format(grouping=False) if isinstance(value, Amount) else str(value)

        return {
            "period": self.period.label,
            "asset": self.asset,
            "basis": self.basis,
            "mined": text(self.mined),
            "sold_eligible": text(self.sold_eligible),
            "sold_elsewhere": text(self.sold_elsewhere),
            "to_reserve": text(self.to_reserve),
            "reserve_counts": self.reserve_counts,
            "counted": text(self.counted),
            "retained": text(self.retained),
            "share": text(self.share),
            "required_share": text(self.required_share),
            "required": text(self.required),
            "gap": text(self.gap),
            "gap_kzt": text(self.gap_kzt),
            "gap_kzt_note": self.gap_kzt_note,
            "elapsed": text(self.elapsed),
            "pace_share": text(self.pace_share),
            "days_left": self.days_left,
            "due": self.due.isoformat(),
            "status": self.status,
            "venues": list(self.venues),
            "by_venue": {v: text(a) for v, a in self.by_venue.items()},
            "rules": list(self.rules),
            "sources": list(self.sources),
            "verify": self.verify_mark,
        }


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


def _sale(flows: _Flows, posting_account: str, units: int, venues: frozenset[str]) -> bool:
    """Add `units` sold from `posting_account`; return whether it counts as eligible."""
    venue = _exchange(posting_account)
    if venue is not None:
        flows.by_venue[venue] = flows.by_venue.get(venue, 0) + units
    if venue is not None and venue in venues:
        flows.eligible += units
        return True
    flows.elsewhere += units
    return False


async def _stretch_flows(
    register: Register,
    settings: DeskSettings,
    stretch: Stretch,
    assets: Sequence[Asset],
    valuer: Valuer | None,
    now: datetime,
) -> dict[str, _Flows]:
    """Mined, sold and moved to reserve of each of `assets` within one stretch, as of `now`
    (what is recorded after `now` is not yet known then). Each kind of entry is walked once
    for every asset."""
    flows = {asset.code: _Flows() for asset in assets}
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
                        found.counted_kzt += await _kzt(register, valuer, -posting.amount, entry.ts)
                elif kind == "reversal" and priced and units > 0:
                    if (entry.details or {}).get("reverses_kind") != "purchase":
                        eligible = _sale(found, posting.account, -units, venues)
                        if valuer and eligible:
                            found.counted_kzt -= await _kzt(register, valuer, posting.amount, entry.ts)
                elif not priced and posting.account.startswith("assets:reserve:") and _moves_holdings(entry):
                    found.reserve += units
                    if valuer and counts_reserve:
                        found.counted_kzt += (1 if units > 0 else -1) * await _kzt(
                            register, valuer, abs(posting.amount), entry.ts
                        )
    if valuer:
        async for entry in register.walk(PageFilter(kind="earning", since=since, until=until)):
            for posting in entry.postings:
                if posting.asset.code in flows and posting.account.startswith("income:mining:"):
                    flows[posting.asset.code].mined_kzt += await _kzt(register, valuer, -posting.amount, entry.ts)
    return flows


async def _ever_mined(register: Register, asset: Asset) -> bool:
    """Whether any pool has ever credited `asset` (mining income balances are O(1) reads)."""
    for account in register.accounts():
        if account.startswith("income:mining:") and (await register.balance(account, asset.code)).units:
            return True
    return False


def _moves_holdings(entry: Entry) -> bool:
    """A transfer, or the reversal of one: only asset accounts (a seizure's reversal, which
    touches income, is not a transfer out of the reserve)."""
    return all(p.account.startswith("assets:") for p in entry.postings)


async def _kzt(register: Register, valuer: Valuer, amount: Amount, at: datetime) -> Decimal:
    """The KZT value of a positive `amount`; a negative one is valued by its size, negated."""
    sign = -1 if amount.value < 0 else 1
    valued = await valuer(register, abs(amount), at, "KZT")
    return sign * valued.value


def _status(
    share: Decimal | None, required_share: Decimal, counted: Decimal, required: Decimal, elapsed: Decimal
) -> str:
    if share is None or counted >= required:
        return "ok"
    if elapsed >= 1:
        return "red"
    return "amber" if share < required_share * elapsed else "ok"


async def sell_through(
    register: Register,
    settings: DeskSettings,
    period: Period,
    *,
    now: datetime,
    valuer: Valuer | None = None,
    rules: Sequence[SellRuleSettings] | None = None,
) -> list[SellThrough]:
    """The sell-through standing of every asset mined or sold in `period`, as of `now`.

    `valuer` values amounts in KZT (default: desk.valuation's value_of with the configured
    price policy); `rules` replaces the schedule (default: config, else the shipped one).
    """
    rules = list(rules) if rules is not None else sell_rules(settings)
    if valuer is None:
        policy = PricePolicy.from_settings(settings)

        async def valuer(reg: Register, amount: Amount, at: datetime, currency: str) -> Valued:
            return await value_of(reg, amount, at, currency, policy=policy)

    parts = stretches(rules, period)
    bases = {p.rule.basis for p in parts if p.rule}
    if len(bases) > 1:
        raise ComplianceError(
            f"the schedule changes basis inside {period.label} ({', '.join(sorted(bases))}); ask for a shorter period"
        )
    basis = bases.pop() if bases else "mined_coins"
    fiat = basis == "fiat_revenue"
    results = []
    assets = list(register.assets().values())
    per_part = [
        (part, await _stretch_flows(register, settings, part, assets, valuer if fiat else None, now)) for part in parts
    ]
    for asset in assets:
        total = _Flows()
        required = Decimal(0)
        counted_measure = Decimal(0)
        mined_measure = Decimal(0)
        reserve_counts = False
        for part, by_asset in per_part:
            flows = by_asset[asset.code]
            total.mined += flows.mined
            total.eligible += flows.eligible
            total.elsewhere += flows.elsewhere
            total.reserve += flows.reserve
            for venue, units in flows.by_venue.items():
                total.by_venue[venue] = total.by_venue.get(venue, 0) + units
            counts = bool(part.rule and part.rule.reserve_transfers_count)
            reserve_counts = reserve_counts or counts
            if fiat:
                mined_here, counted_here = flows.mined_kzt, flows.counted_kzt
            else:
                mined_here = Amount.from_units(asset, flows.mined).value
                counted_here = Amount.from_units(asset, flows.eligible + (flows.reserve if counts else 0)).value
            mined_measure += mined_here
            counted_measure += counted_here
            if part.rule is not None:
                required += part.rule.required_share * mined_here
        if not (total.mined or total.eligible or total.elsewhere or total.reserve):
            continue
        if not total.mined and not await _ever_mined(register, asset):
            continue  # e.g. USDT spent on a purchase: a sale of it is no sell-through of mining
        results.append(
            await _standing(
                register,
                valuer,
                period,
                now,
                asset,
                basis,
                parts,
                total,
                reserve_counts,
                required,
                counted_measure,
                mined_measure,
                settings,
            )
        )
    return results


async def _standing(
    register: Register,
    valuer: Valuer,
    period: Period,
    now: datetime,
    asset: Asset,
    basis: str,
    parts: list[Stretch],
    total: _Flows,
    reserve_counts: bool,
    required: Decimal,
    counted_measure: Decimal,
    mined_measure: Decimal,
    settings: DeskSettings,
) -> SellThrough:
    def amount(units: int) -> Amount:
        return Amount.from_units(asset, units)

    fiat = basis == "fiat_revenue"
    counted_units = total.eligible + (total.reserve if reserve_counts else 0)
    share = counted_measure / mined_measure if mined_measure > 0 else None
    rules = [p.rule for p in parts if p.rule]
    if mined_measure > 0:
        required_share = required / mined_measure
    else:
        required_share = max((r.required_share for r in rules), default=Decimal(0))
    elapsed = period.elapsed(now)
    gap: Amount | None = None
    gap_kzt: Decimal | None = None
    note: str | None = None
    if fiat:
        gap_kzt = (counted_measure - required).quantize(TIYN)
    else:
        gap = amount(counted_units) - Amount(asset, required.quantize(asset.quantum, rounding="ROUND_CEILING"))
        at = min(now, period.end - timedelta(microseconds=1))
        if gap:
            try:
                gap_kzt = (await _kzt(register, valuer, gap, at)).quantize(TIYN)
            except PriceMissing as exc:
                note = str(exc)
        else:
            gap_kzt = Decimal(0)
    status = _status(share, required_share, counted_measure, required, elapsed)
    venues = sorted({v for r in rules for v in eligible_venues(settings, r)})
    return SellThrough(
        period=period,
        asset=asset.code,
        basis=basis,
        mined=amount(total.mined),
        sold_eligible=amount(total.eligible),
        sold_elsewhere=amount(total.elsewhere),
        to_reserve=amount(total.reserve),
        reserve_counts=reserve_counts,
        counted=amount(counted_units),
        retained=amount(total.mined - total.eligible - total.elsewhere - total.reserve),
        share=share,
        required_share=required_share,
        required=required,
        counted_measure=counted_measure,
        gap=gap,
        gap_kzt=gap_kzt,
        gap_kzt_note=note,
        elapsed=elapsed,
        pace_share=required_share * elapsed,
        days_left=period.days_left(now),
        due=period.last_day,
        status=status,
        venues=tuple(venues),
        by_venue={v: amount(u) for v, u in sorted(total.by_venue.items())},
        rules=tuple(r.id for r in rules),
        sources=tuple(dict.fromkeys(r.source for r in rules)),
        verify=any(r.verify for r in rules),
    )


def current_period(settings: DeskSettings, now: datetime, rules: Sequence[SellRuleSettings] | None = None) -> Period:
    """The period the rule in force today is owed over, holding today (a month when no rule
    is in force)."""
    rules = list(rules) if rules is not None else sell_rules(settings)
    today = now.date()
    governing = in_force(rules, today)
    return period_of(governing[0].period if governing else "month", today)


def period_rules(
    settings: DeskSettings, period: Period, rules: Sequence[SellRuleSettings] | None = None
) -> list[SellRuleSettings]:
    """The rules governing any part of `period`, oldest first."""
    rules = list(rules) if rules is not None else sell_rules(settings)
    return [s.rule for s in stretches(rules, period) if s.rule is not None]


@dataclass(frozen=True, slots=True)
class ComplianceSnapshot:
    """What a screen shows: the period, each asset's standing, the rules and their mark."""

    period: Period
    as_of: datetime
    rows: tuple[SellThrough, ...]
    rules: tuple[SellRuleSettings, ...]

    @property
    def verify_mark(self) -> str | None:
        return VERIFY_MARK if any(r.verify for r in self.rules) else None

    @property
    def status(self) -> str:
        """The worst status of any asset ("ok" when nothing is owed)."""
        order = ("ok", "amber", "red")
        return max((r.status for r in self.rows), key=order.index, default="ok")

    def as_dict(self) -> dict[str, object]:
        return {
            "period": self.period.label,
            "as_of": self.as_of.isoformat(),
            "status": self.status,
            "verify": self.verify_mark,
            "rules": [
                {
                    "id": r.id,
                    "effective_from": r.effective_from.isoformat(),
                    "effective_to": r.effective_to.isoformat() if r.effective_to else None,
                    "required_share": str(r.required_share),
                    "basis": r.basis,
                    "period": r.period,
                    "reserve_transfers_count": r.reserve_transfers_count,
                    "source": r.source,
                }
                for r in self.rules
            ],
            "assets": [row.as_dict() for row in self.rows],
        }


async def compliance_snapshot(
    register: Register,
    settings: DeskSettings,
    *,
    now: datetime,
    period: Period | None = None,
    valuer: Valuer | None = None,
) -> ComplianceSnapshot:
    """The standing for `period` (default: the current one of the rule in force) as of `now`."""
    rules = sell_rules(settings)
    period = period or current_period(settings, now, rules)
    rows = await sell_through(register, settings, period, now=now, valuer=valuer, rules=rules)
    return ComplianceSnapshot(period, now, tuple(rows), tuple(period_rules(settings, period, rules)))
