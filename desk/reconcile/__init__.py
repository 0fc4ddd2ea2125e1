"""Three-way reconciliation: what the pools report, what the register holds, what the chain
shows at our addresses; every break to the satoshi, classified, and the unexplained ones
kept in an open queue until an operator resolves them with a note (a chained action).

    report = await reconcile(settings, register, http, since=..., until=..., chain=esplora)
    report.ordered        # days, mismatches first
    report.open_breaks    # the unmatched queue
    await resolutions.resolve(register, break_id, note)   # desk.reconcile.resolutions
"""

from typing import TYPE_CHECKING, Any

from desk.reconcile.breaks import EXPLAINED, Break, BreakKind, Resolution
from desk.reconcile.comparison import Facts, compare
from desk.reconcile.report import DayReport, Report, report_json

if TYPE_CHECKING:
    from desk.reconcile.engine import reconcile


def __getattr__(name: str) -> Any:
    """`reconcile` is imported when first asked for: it reads the pools over HTTP, and the
    readers of a finished report (the monthly report, the transfer watch) should not pay
    aiohttp's import on every start."""
    if name == "reconcile":
        from desk.reconcile.engine import reconcile

        return reconcile
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EXPLAINED",
    "Break",
    "BreakKind",
    "DayReport",
    "Facts",
    "Report",
    "Resolution",
    "compare",
    "reconcile",
    "report_json",
]
