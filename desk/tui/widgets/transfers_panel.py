"""The dashboard's transfers in flight: each approved on-chain transfer not yet settled, with
its state, confirmations of those required and its age (desk/transfers/states.py reads them).
Hidden while nothing is in flight, so the dashboard looks as it did before anything moved.

`load(register, settings, now)` reads the register's short list of transfers in flight (a
handful, not a window over the book) and shows it; the dashboard calls it on each refresh.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from textual.widgets import Static

from desk.register.transfers import IN_FLIGHT, Transfer
from desk.transfers.states import summary
from desk.tui.widgets.fit import update_text

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
        self.show(await read_transfers(register, settings, now))

    def show(self, flying: InFlight) -> None:
        """Show what `read_transfers` read: hidden when nothing is in flight."""
        if flying.lines != self.shown:
            self.shown = flying.lines
            self.set_class(bool(flying.lines), "-flying")  # shown or hidden: the class lays it out
            self.border_title = f"transfers in flight ({flying.count})"
            update_text(self, "\n".join(flying.lines))


class InFlight(NamedTuple):
    count: int
    lines: tuple[str, ...]


async def read_transfers(register: Any, settings: Any, now: datetime) -> InFlight:
    """One line per transfer in flight (at most MOST, then a line counting the rest)."""
    flying: list[Transfer] = await register.transfers(IN_FLIGHT)
    lines = tuple(summary(t, settings.transfers.required(t.amount.asset.code), now) for t in flying[:MOST])
    if len(flying) > MOST:
        lines += (f"… and {len(flying) - MOST} more (`desk transfers`)",)
    return InFlight(len(flying), lines)
