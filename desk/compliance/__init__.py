"""Compliance with the law the desk operates under: the sell-through obligation (a share of
mined coins sold through AIFC-licensed exchanges) and the digital-mining fee per kWh.

The law is kept as effective-dated data (schedule.toml, fee_rates.toml, or rows in the
config), never as code, and every figure computed from it carries the "verify against the
current law" mark while the rows say so. No Textual here: the screen takes plain data.
"""

from desk.compliance.fee import FeeError, FeeStatement, fee_statement, record_kwh
from desk.compliance.flows import ComplianceError
from desk.compliance.periods import Period, PeriodError, parse_period, period_of
from desk.compliance.selling import compliance_snapshot, current_period, sell_through
from desk.compliance.standing import ComplianceSnapshot, SellThrough
from desk.compliance.tables import VERIFY_MARK, fee_rates, sell_rules

__all__ = [
    "VERIFY_MARK",
    "ComplianceError",
    "ComplianceSnapshot",
    "FeeError",
    "FeeStatement",
    "Period",
    "PeriodError",
    "SellThrough",
    "compliance_snapshot",
    "current_period",
    "fee_rates",
    "fee_statement",
    "parse_period",
    "period_of",
    "record_kwh",
    "sell_rules",
    "sell_through",
]
