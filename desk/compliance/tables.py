"""The effective-dated tables the law is kept in: the sell-through schedule and the
mining-fee rates. They are data, not code: the shipped defaults are TOML files in this
package, and rows in the config replace them. Both are validated by the config's models, so
a bad row in either place is reported the same way."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from importlib.resources import files
from typing import TypeVar

from pydantic import ValidationError

from desk.config import ConfigError, DatedRow, DeskSettings, FeeRateSettings, SellRuleSettings

#: Shown wherever a figure rests on a table row marked `verify`.
VERIFY_MARK = "verify against the current law"

Row = TypeVar("Row", bound=DatedRow)


def _shipped(name: str, key: str, model: type[Row]) -> list[Row]:
    text = files("desk.compliance").joinpath(name).read_text(encoding="utf-8")
    data = tomllib.loads(text, parse_float=Decimal)
    try:
        return [model.model_validate(row) for row in data[key]]
    except ValidationError as exc:
        raise ConfigError([f"desk/compliance/{name}: {err['loc']}: {err['msg']}" for err in exc.errors()]) from None


def sell_rules(settings: DeskSettings) -> list[SellRuleSettings]:
    """The schedule in force: the config's rows, else the shipped schedule; oldest first."""
    rules = list(settings.compliance.rules) or _shipped("schedule.toml", "rules", SellRuleSettings)
    return sorted(rules, key=lambda r: r.effective_from)


def fee_rates(settings: DeskSettings) -> list[FeeRateSettings]:
    """The fee table in force: the config's rows, else the shipped table."""
    rates = list(settings.compliance.fee_rates) or _shipped("fee_rates.toml", "fee_rates", FeeRateSettings)
    return sorted(rates, key=lambda r: (r.effective_from, r.energy))


def in_force(rows: Sequence[Row], day: date) -> list[Row]:
    """The rows in force on `day`."""
    return [r for r in rows if r.effective_from <= day and (r.effective_to is None or day < r.effective_to)]


def boundaries(rows: Sequence[DatedRow], first: date, after: date) -> list[date]:
    """The days in [first, after) where the rows in force change, with `first` and `after`:
    consecutive pairs are the stretches of one period that one set of rows governs."""
    cuts = {first, after}
    for row in rows:
        for day in (row.effective_from, row.effective_to):
            if day is not None and first < day < after:
                cuts.add(day)
    return sorted(cuts)
