"""The dashboard's transfers in flight: each approved on-chain transfer not yet settled, with
its state, confirmations of those required and its age (desk/transfers/states.py reads them).
Hidden while nothing is in flight, so the dashboard looks as it did before anything moved.

`load(register, settings, now)` reads the register's short list of transfers in flight (a
handful, not a window over the book) and shows it; the dashboard calls it on each refresh.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual.widgets import Static

from desk.register.transfers import IN_FLIGHT, Transfer
from desk.transfers.states import summary

#: Lines shown at most; more are counted on the last line.
MOST = 6


class TransfersPanel(Static):
    DEFAULT_CSS = """
    TransfersPanel { height: auto; border: round $primary; padding: 0 1; display: none; }
    TransfersPanel.-flying { display: block; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", markup=False, **kwargs)
        self.border_title = "transfers in flight"
        self.shown: tuple[str, ...] = ()

    async def load(self, register: Any, settings: Any, now: datetime) -> None:
        flying: list[Transfer] = await register.transfers(IN_FLIGHT)
        lines = tuple(summary(t, settings.transfers.required(t.amount.asset.code), now) for t in flying[:MOST])
        if len(flying) > MOST:
            lines += (f"… and {len(flying) - MOST} more (`desk transfers`)",)
        if lines != self.shown and self.is_attached:
            self.shown = lines
            self.set_class(bool(lines), "-flying")
            self.border_title = f"transfers in flight ({len(flying)})"
            self.update("\n".join(lines))
