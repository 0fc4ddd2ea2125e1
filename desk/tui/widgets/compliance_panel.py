"""The dashboard's sell-through panel: each mined asset's share sold on eligible exchanges
against the required share, the pace, the days left and the gap, coloured by status.

It takes a plain `ComplianceSnapshot` from desk.compliance and renders it; it never reads
the register itself, so the screen decides when to refresh (e.g. on `data_version`). The
"verify against the current law" mark is shown whenever the rules in force carry it.
"""

from __future__ import annotations

from decimal import Decimal

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from desk.compliance import ComplianceSnapshot, SellThrough
from desk.money import amount_text
from desk.tui.widgets.fit import retitle, update_text

STATUSES = ("ok", "amber", "red")


def percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def row_text(row: SellThrough) -> str:
    """One asset on two lines broken where the meaning breaks: the shares, pace and time
    left; then the gap with its amount and status (left to wrap, "short" landed on one line
    and its amount on the next)."""
    if row.gap is not None:
        word = "surplus" if row.gap.value >= 0 else "short"
        gap = f"{word} {amount_text(abs(row.gap))}"
    else:
        word = "surplus" if (row.gap_kzt or 0) >= 0 else "short"
        gap = word
    gap += f" ({abs(row.gap_kzt):,.0f} KZT)" if row.gap_kzt is not None else " (no KZT price)"
    time_left = "period over" if row.days_left == 0 else f"{row.days_left} d left"
    return (
        f"{row.asset}  {percent(row.share)} of {percent(row.required_share)} required"
        f" · pace {percent(row.pace_share)} · {time_left}\n"
        f"{' ' * (len(row.asset) + 2)}{gap} · {row.status.upper()}"
    )


class CompliancePanel(Vertical):
    """Sell-through standing; `show(snapshot)` replaces what it displays."""

    DEFAULT_CSS = """
    CompliancePanel { height: auto; border: round $primary; padding: 0 1; }
    CompliancePanel.-amber { border: round $warning; }
    CompliancePanel.-red { border: round $error; }
    CompliancePanel > .compliance-row { height: auto; }
    CompliancePanel > .compliance-row.-ok { color: $success; }
    CompliancePanel > .compliance-row.-amber { color: $warning; }
    CompliancePanel > .compliance-row.-red { color: $error; text-style: bold; }
    CompliancePanel > #compliance-empty { color: $text-muted; }
    CompliancePanel > #compliance-verify { color: $warning; text-style: italic; }
    """

    def __init__(self, snapshot: ComplianceSnapshot | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.snapshot = snapshot
        self.border_title = "sell-through"

    def compose(self) -> ComposeResult:
        yield from self._lines()

    def _specs(self) -> list[tuple[str, str, str | None]]:
        """(text, classes, id) of each line the snapshot shows."""
        snapshot = self.snapshot
        if snapshot is None:
            return [("sell-through: loading…", "", "compliance-empty")]
        lines: list[tuple[str, str, str | None]] = [
            (row_text(row), f"compliance-row -{row.status}", None) for row in snapshot.rows
        ]
        if not lines:
            what = "nothing mined or sold" if snapshot.rules else "no sell-through rule in force"
            lines.append((f"{what} in {snapshot.period.label}", "", "compliance-empty"))
        if snapshot.verify_mark:
            lines.append((f"⚠ {snapshot.verify_mark}", "", "compliance-verify"))
        return lines

    def _lines(self) -> list[Static]:
        return [Static(text, classes=classes, id=line_id, markup=False) for text, classes, line_id in self._specs()]

    async def show(self, snapshot: ComplianceSnapshot) -> None:
        """Display `snapshot`: rows, status colour of the panel, the period in the title.
        Lines of the same shape are updated in place (a busy sync refreshes this often, and a
        remount relayouts the whole dashboard)."""
        self.snapshot = snapshot
        retitle(self, title=f"sell-through {snapshot.period.label}")
        for status in STATUSES:
            self.set_class(snapshot.status == status, f"-{status}")
        specs = self._specs()
        children = list(self.query_children(Static))
        if len(children) != len(specs) or any(c.id != spec[2] for c, spec in zip(children, specs, strict=True)):
            await self.remove_children()
            await self.mount_all(self._lines())
            return
        for child, (text, classes, _id) in zip(children, specs, strict=True):
            update_text(child, text)
            child.set_classes(classes)

    async def show_problem(self, message: str) -> None:
        """The standing cannot be computed (e.g. the configured schedule overlaps): say why, in red."""
        self.border_title = "sell-through"
        for status in STATUSES:
            self.set_class(status == "red", f"-{status}")
        await self.remove_children()
        await self.mount(Static(f"✗ {message}", classes="compliance-row -red", markup=False))
