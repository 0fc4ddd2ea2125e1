"""Gather a month's report from the register and the modules that own each figure.

Each section is computed by its own module in desk/report/sections/, which calls the owning
domain module (valuation, compliance, reconciliation, mining) for its figures. The result is
plain data (`Report`), rendered to Markdown, HTML or CSV by the render_* modules; the same
register and arguments always give the same report, byte for byte.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from desk.config import DeskSettings
from desk.register import Register
from desk.report import ledger
from desk.report.context import Context
from desk.report.model import Report
from desk.report.period import Month
from desk.report.sections import (
    approvals,
    compliance,
    conversions,
    costbasis,
    fee,
    hashprice,
    inflows,
    integrity,
    ratio,
    reconciliation,
    reserve,
    transfers,
)
from desk.valuation.prices import PricePolicy

if TYPE_CHECKING:  # a reconciliation is made by desk.reconcile, which reads the pools over HTTP
    from desk.reconcile import Report as Reconciliation

#: The sections in the order the report shows them.
SECTIONS = (
    inflows,
    hashprice,
    transfers,
    conversions,
    reserve,
    costbasis,
    compliance,
    ratio,
    fee,
    reconciliation,
    approvals,
    integrity,
)


async def build_report(
    register: Register,
    settings: DeskSettings,
    month: Month,
    *,
    as_of: datetime | None = None,
    reconciliation: Reconciliation | None = None,
    detail: bool = True,
    now: datetime | None = None,
) -> Report:
    """The report of `month` (up to `as_of` when that falls inside the month), with the
    month's `reconciliation` when one was run (it reads the pools and the chain). Without
    `detail`, a figure whose sources are not the month's entries (the FIFO lots held, as
    many as the reserve's whole history) carries no trace: what only --detail prints is not
    gathered.

    A month still running is reported as of `now` when no `as_of` is given: judged at its
    end, a sell-through period not yet over read "0 days left, red" while the dashboard and
    `desk compliance`, judging now, said amber. One as-of rule, so one answer."""
    if as_of is None and now is not None and month.start < now < month.end:
        as_of = now
    end = month.cut(as_of)
    ctx = Context(
        register=register,
        settings=settings,
        month=month,
        end=end,
        as_of=as_of,
        detail=detail,
        ledger=await ledger.load(register, month.start, end, every_entry=detail),
        policy=PricePolicy.from_settings(settings),
    )
    if reconciliation is not None:
        ctx.shared["reconciliation"] = reconciliation
    sections = tuple([await module.section(ctx) for module in SECTIONS])
    charts = (inflows.daily_mined(ctx), await reserve.value_chart(ctx))
    return Report(
        fund=settings.reserve.fund,
        month=str(month),
        start=month.start,
        end=end,
        as_of=as_of,
        sections=sections,
        charts=charts,
    )
