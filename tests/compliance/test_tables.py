"""The schedule and the fee table from the config: rows replace the shipped tables, bad rows
are named, venues must be exchanges."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from desk.compliance import fee_rates, sell_rules
from desk.config import ConfigError, load_settings

BASE = """
[accounts]
exchanges = ["aix"]
"""


def settings_from(tmp_path: Path, text: str):
    path = tmp_path / "desk.toml"
    path.write_text(BASE + text)
    return load_settings(path, env={})


def test_rows_in_the_config_replace_the_shipped_tables(tmp_path: Path) -> None:
    settings = settings_from(
        tmp_path,
        """
[[compliance.rules]]
id = "draft-2027"
effective_from = 2027-01-01
required_share = 0.7
basis = "fiat_revenue"
period = "quarter"
reserve_transfers_count = true
source = "draft amendment, verify"
[[compliance.fee_rates]]
energy = "grid"
kzt_per_kwh = "12.5"
effective_from = 2027-01-01
source = "test"
verify = false
""",
    )
    (rule,) = sell_rules(settings)
    # a TOML float arrives exact
    assert (rule.id, rule.required_share, rule.basis, rule.period) == (
        "draft-2027",
        Decimal("0.7"),
        "fiat_revenue",
        "quarter",
    )
    (rate,) = fee_rates(settings)
    assert (rate.energy, rate.kzt_per_kwh, rate.effective_from, rate.verify) == (
        "grid",
        Decimal("12.5"),
        date(2027, 1, 1),
        False,
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            '[[compliance.rules]]\nid = "r"\neffective_from = 2026-01-01\nrequired_share = "1.5"\nsource = "s"\n',
            "compliance.rules.0.required_share: Input should be less than or equal to 1",
        ),
        (
            '[[compliance.rules]]\nid = "r"\neffective_from = 2026-01-01\nrequired_share = "0.5"\n',
            "compliance.rules.0.source: required key is missing",
        ),
        (
            '[[compliance.rules]]\nid = "r"\neffective_from = 2026-05-01\neffective_to = 2026-04-01\n'
            'required_share = "0.5"\nsource = "s"\n',
            "effective_to 2026-04-01 must be after effective_from 2026-05-01",
        ),
        ("[venues.binx]\neligible = true\n", "venue 'binx' is not in accounts.exchanges"),
        (
            '[[compliance.fee_rates]]\nenergy = "own"\nkzt_per_kwh = "-1"\neffective_from = 2026-01-01\nsource = "s"\n',
            "compliance.fee_rates.0.kzt_per_kwh: Input should be greater than or equal to 0",
        ),
    ],
)
def test_a_bad_row_is_named(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from(tmp_path, text)
    assert any(problem in line for line in caught.value.problems), caught.value.problems
