"""The digital-mining fee: KZT per kWh consumed, from an effective-dated table of rates.

kWh are entered per month or quarter with the energy they came from (`renewable`, `own`,
`unmetered`, or whatever tags the table uses). One consumption may fall under several rows
(own generation without a meter): the highest rate among them applies. The fee is owed per
calendar quarter and due on the 20th of the month after it.

A kWh record is a fact someone asserted, so it is appended to the chained actions log
(action `fee_kwh`), signed by the operator, never edited: a correction is another record
(negative kWh take back part of an earlier one). The fee is computed when read, from the
rates in force on the first day of the record's period, so every figure can be traced to the
record and the table row it used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from desk.compliance.periods import Period, parse_period, period_of
from desk.compliance.tables import VERIFY_MARK, fee_rates, in_force
from desk.config import DeskSettings, FeeRateSettings
from desk.money import to_decimal
from desk.register import Register
from desk.register.text import check_text

ACTION = "fee_kwh"
TIYN = Decimal("0.01")


class FeeError(ValueError):
    """A kWh record that cannot be taken: names what is wrong."""


@dataclass(frozen=True, slots=True)
class FeeLine:
    """One kWh record with the rate it is charged at."""

    action_seq: int
    recorded_at: str
    operator: str
    period: str
    kwh: Decimal
    energy: tuple[str, ...]
    rate: Decimal
    rate_energy: str
    fee: Decimal
    source: str
    memo: str
    verify: bool


@dataclass(frozen=True, slots=True)
class FeeStatement:
    quarter: Period
    lines: tuple[FeeLine, ...]
    kwh: Decimal
    fee: Decimal
    due: date
    days_to_due: int
    overdue: bool
    verify: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "quarter": self.quarter.label,
            "kwh": kwh_text(self.kwh),
            "fee_kzt": str(self.fee),
            "due": self.due.isoformat(),
            "days_to_due": self.days_to_due,
            "overdue": self.overdue,
            "verify": VERIFY_MARK if self.verify else None,
            "lines": [
                {
                    "action_seq": line.action_seq,
                    "recorded_at": line.recorded_at,
                    "operator": line.operator,
                    "period": line.period,
                    "kwh": kwh_text(line.kwh),
                    "energy": list(line.energy),
                    "rate_kzt_per_kwh": str(line.rate),
                    "rate_energy": line.rate_energy,
                    "fee_kzt": str(line.fee),
                    "source": line.source,
                    "memo": line.memo,
                }
                for line in self.lines
            ],
        }


def kwh_text(kwh: Decimal) -> str:
    """kWh as plain digits, without an exponent or trailing zeros: 250000, 2000.5."""
    return format(kwh.normalize(), "f")


def due_date(quarter: Period) -> date:
    """The 20th of the month after the quarter."""
    return date(quarter.after.year, quarter.after.month, 20)


def applicable_rate(rates: list[FeeRateSettings], energy: tuple[str, ...], day: date) -> FeeRateSettings:
    """The highest rate in force on `day` among the rows for `energy`; FeeError names the
    tags that have no row."""
    current = in_force(rates, day)
    known = {r.energy for r in current}
    unknown = [e for e in energy if e not in known]
    if unknown:
        raise FeeError(
            f"no mining-fee rate for {', '.join(unknown)} on {day}; the table has: {', '.join(sorted(known)) or 'none'}"
        )
    return max((r for r in current if r.energy in energy), key=lambda r: r.kzt_per_kwh)


def _fee_period(text: str) -> Period:
    period = parse_period(text)
    if period.kind == "year":
        raise FeeError(f"period {text!r}: kWh are recorded per month or quarter (the fee is due quarterly)")
    return period


async def record_kwh(
    register: Register, settings: DeskSettings, period_text: str, kwh: str, energy: list[str], memo: str = ""
) -> int:
    """Append a kWh record for a month or quarter; return its action seq."""
    period = _fee_period(period_text)
    try:
        amount = to_decimal(kwh.strip(), what="--kwh")
    except (TypeError, ValueError) as exc:
        raise FeeError(str(exc)) from None
    if not amount:
        raise FeeError("--kwh: must not be zero")
    tags = tuple(sorted(set(energy)))
    if not tags:
        raise FeeError("--source: name at least one energy source")
    applicable_rate(fee_rates(settings), tags, period.first)
    memo = check_text(memo, "--memo")
    detail = {"period": period.label, "kwh": kwh_text(amount), "energy": list(tags), "memo": memo}
    return await register.record_action(ACTION, detail)


async def fee_statement(register: Register, settings: DeskSettings, period_text: str, *, now: datetime) -> FeeStatement:
    """The fee of the quarter holding `period_text` (a month names its quarter)."""
    asked = parse_period(period_text)
    if asked.kind == "year":
        raise FeeError(f"period {period_text!r}: the fee is owed per quarter; ask for one (e.g. 2026-Q4)")
    quarter = period_of("quarter", asked.first)
    rates = fee_rates(settings)
    lines = []
    for action in await register.actions_named(ACTION):
        detail = action["detail"]
        period = parse_period(detail["period"])
        if not (quarter.first <= period.first < quarter.after):
            continue
        kwh = Decimal(detail["kwh"])
        energy = tuple(detail["energy"])
        rate = applicable_rate(rates, energy, period.first)
        lines.append(
            FeeLine(
                action_seq=action["seq"],
                recorded_at=action["ts"],
                operator=action["operator"],
                period=period.label,
                kwh=kwh,
                energy=energy,
                rate=rate.kzt_per_kwh,
                rate_energy=rate.energy,
                fee=(kwh * rate.kzt_per_kwh).quantize(TIYN),
                source=rate.source,
                memo=detail.get("memo", ""),
                verify=rate.verify,
            )
        )
    due = due_date(quarter)
    today = now.date()
    return FeeStatement(
        quarter=quarter,
        lines=tuple(lines),
        kwh=sum((line.kwh for line in lines), Decimal(0)),
        fee=sum((line.fee for line in lines), Decimal(0)),
        due=due,
        days_to_due=(due - today).days,
        overdue=today > due,
        verify=any(line.verify for line in lines) or any(r.verify for r in in_force(rates, quarter.first)),
    )
