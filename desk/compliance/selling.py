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

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from desk.compliance.flows import (
    ComplianceError,
    Flows,
    Stretch,
    Valuer,
    eligible_venues,
    ever_mined,
    kzt,
    stretch_flows,
    stretches,
)
from desk.compliance.periods import Period, period_of
from desk.compliance.standing import ComplianceSnapshot, SellThrough
from desk.compliance.tables import in_force, sell_rules
from desk.config import DeskSettings, SellRuleSettings
from desk.money import Amount, Asset
from desk.register import Register
from desk.valuation.prices import PriceMissing, PricePolicy, Valued, value_of

#: Two decimal places of KZT (tiyn), as figures are reported.
TIYN = Decimal("0.01")


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
        (part, await stretch_flows(register, settings, part, assets, valuer if fiat else None, now)) for part in parts
    ]
    for asset in assets:
        total = Flows()
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
        if not total.mined and not await ever_mined(register, asset):
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
    total: Flows,
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
                gap_kzt = (await kzt(register, valuer, gap, at)).quantize(TIYN)
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
