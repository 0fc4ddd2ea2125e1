"""Reconciliation: every break between the pools, the register and the chain, open ones
first, each to the satoshi and classified; then the days per pool, mismatches before clean
days. `e` resolves the selected open break with a note (a chained action in the register).

The rows come from desk.reconcile.view (plain dataclasses); the read talks to the pools and
the chain, so it runs in a worker while the screen says it is reading, and a pool or chain
that could not be read is named on its own line.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Header, Input, Label, Static

from desk.money import Amount, amount_text
from desk.operations.breaks import refusal, resolve_break
from desk.reconcile.live import read_view
from desk.reconcile.view import BreakRow, DayRow, ReconciliationView
from desk.register import EntryRejected
from desk.tui.screens.base import DeskScreen
from desk.tui.widgets.footer import DeskFooter

#: Reads the view for the app (the live read by default; a prepared one in snapshots).
ViewSource = Callable[[Any], Awaitable[ReconciliationView]]

BREAK_COLUMNS = ("state", "pool", "day", "kind", "difference", "why")
#: every figure of a day row is in the row's one asset, named in its own column
DAY_COLUMNS = (
    "pool",
    "day",
    "state",
    "unit",
    "earned pool",
    "earned reg",
    "paid pool",
    "paid reg",
    "on chain",
    "carried",
)
STATE_STYLE = {"open": "bold red", "resolved": "cyan", "explained": "yellow", "clean": "green"}


async def live_view(app: Any) -> ReconciliationView:
    """The last `[reconcile] days` UTC days to today, pools live, the chain when watched."""
    settings = app.settings
    until = app.now().date()
    since = until - timedelta(days=settings.reconcile.days - 1)
    return await read_view(settings, app.register, app.now, since=since, until=until)


def _amount(value: Amount | None) -> str:
    return "-" if value is None else amount_text(value, code=False)


def break_cells(row: BreakRow) -> tuple[Text | str, ...]:
    why = row.why if row.resolved_by is None else f"{row.why}; resolved by {row.resolved_by}: {row.resolved_note}"
    return (
        Text(row.state, style=STATE_STYLE[row.state]),
        row.scope,
        row.day.isoformat(),
        row.kind,
        Text(amount_text(row.difference), justify="right"),
        why,
    )


def day_cells(row: DayRow) -> tuple[Text | str, ...]:
    figures = (
        row.earned_pool,
        row.earned_register,
        row.paid_pool,
        row.paid_register,
        row.received_chain,
        row.carried,
    )
    unit = next((f.asset.code for f in figures if f is not None), "")
    return (
        row.scope,
        row.day.isoformat(),
        Text(row.state, style=STATE_STYLE[row.state]),
        unit,
        *(Text(_amount(f), justify="right") for f in figures),
    )


class ResolveDialog(ModalScreen[str | None]):
    """A note for one open break; enter records it, escape leaves it open."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="resolve.cancel")]

    def __init__(self, row: BreakRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        r = self.row
        with Vertical(id="resolve-body"):
            yield Label(f"Resolve {r.id}: {r.kind}, {r.scope} {r.day}, {amount_text(r.difference)}")
            yield Label(Text(r.why), id="resolve-why")
            yield Label("note (what the break was and what was done; enter to record)")
            yield Input(id="resolve-note")
            yield Static("", id="resolve-error")

    @on(Input.Submitted)
    def _done(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())
        else:
            self.query_one("#resolve-error", Static).update("a resolution needs a note")
            self.app.bell()

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReconcileScreen(DeskScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "resolve", "Resolve break", id="reconcile.resolve"),
        Binding("g", "reload", "Reload", id="reconcile.reload"),
    ]

    def __init__(self, source: ViewSource | None = None) -> None:
        super().__init__()
        self.source = source or live_view
        #: the view on screen (None until the first read ends)
        self.view: ReconciliationView | None = None
        self._reading = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="rec-status")
        yield Vertical(id="rec-problems")
        yield DataTable(id="rec-breaks", cursor_type="row", zebra_stripes=True)
        yield Static("", id="rec-detail")
        yield DataTable(id="rec-days", cursor_type="row", zebra_stripes=True)
        yield Static("", id="rec-message", classes="message")
        yield DeskFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#rec-breaks", DataTable).add_columns(*BREAK_COLUMNS)
        self.query_one("#rec-days", DataTable).add_columns(*DAY_COLUMNS)
        self.query_one("#rec-breaks").border_title = "breaks (open first)"
        self.query_one("#rec-days").border_title = "per pool and day (mismatches first)"
        self.query_one("#rec-breaks").focus()
        self.action_reload()

    def action_reload(self) -> None:
        if self._reading:
            return
        self._reading = True
        self.query_one("#rec-status", Static).update("reading the pools, the register and the chain …")
        self.query_one("#rec-status").set_classes("-loading")
        self._read()

    def _read(self) -> None:
        """Read in a worker; the result is applied as a message to the status line
        (desk.tui.screens.base), dropped by Textual if the screen went meanwhile."""
        self.read(self._fetch, self._apply, into="#rec-status", group="reconcile")

    async def _fetch(self) -> ReconciliationView | Exception:
        try:
            return await self.source(self.app)
        except Exception as exc:  # a bad config or an unreadable register: said, not raised
            return exc
        finally:
            self._reading = False

    def _apply(self, read: ReconciliationView | Exception) -> None:
        if isinstance(read, Exception):
            status = self.query_one("#rec-status", Static)
            status.update(Text(f"reconciliation failed: {read}"))
            status.set_classes("-error")
            self.app.bell()
            return
        self.show(read)

    def show(self, view: ReconciliationView) -> None:
        selected = self.selected()
        index = self.query_one("#rec-breaks", DataTable).cursor_row
        self.view = view
        chain = "chain checked" if view.chain_checked else "chain NOT checked"
        open_text = f"{view.open_count} open break(s)" if view.open_count else "no open break"
        status = self.query_one("#rec-status", Static)
        status.update(
            f"{view.since} .. {view.until} · {open_text} · {len(view.breaks)} break(s) · {chain} · "
            f"as of {view.as_of:%Y-%m-%d %H:%M} UTC"
        )
        status.set_classes("-open" if view.open_count else "-clean")
        problems = self.query_one("#rec-problems", Vertical)
        problems.remove_children()
        problems.mount_all(Static(Text(line), classes="rec-problem") for line in view.problems)
        breaks = self.query_one("#rec-breaks", DataTable)
        breaks.clear()
        for row in view.breaks:
            breaks.add_row(*break_cells(row), key=row.id)
        if not view.breaks:
            breaks.add_row(Text("none", style="green"), "", "", "", "", "every pool, day and payout matches")
        else:
            # the cursor stays on its break while that is unchanged; once it is resolved the
            # cursor stays in place, on the next open break
            same = [r.id for r in view.breaks if selected is not None and r == selected]
            breaks.move_cursor(row=breaks.get_row_index(same[0]) if same else min(index, len(view.breaks) - 1))
        days = self.query_one("#rec-days", DataTable)
        days.clear()
        for row in view.days:
            days.add_row(*day_cells(row))

    @on(DataTable.RowHighlighted, "#rec-breaks")
    def _detail(self) -> None:
        """The selected break in full (the table cuts the why at narrow widths)."""
        row = self.selected()
        text = "" if row is None else f"{row.id} · {row.kind} · {row.why}"
        if row is not None and row.resolved_by is not None:
            text += f" · resolved by {row.resolved_by}: {row.resolved_note}"
        self.query_one("#rec-detail", Static).update(Text(text))

    def selected(self) -> BreakRow | None:
        """The break under the cursor of the breaks table."""
        if self.view is None or not self.view.breaks:
            return None
        table = self.query_one("#rec-breaks", DataTable)
        index = table.cursor_row
        return self.view.breaks[index] if 0 <= index < len(self.view.breaks) else None

    def action_resolve(self) -> None:
        row = self.selected()
        message = self.query_one("#rec-message", Static)
        if row is None:
            message.update("no break selected")
            self.app.bell()
            return
        refused = refusal(row)
        if refused is not None:
            message.update(Text.assemble(("refused: ", "bold"), refused))
            self.app.bell()
            return

        def recorded(note: str | None) -> None:
            if note is not None:
                self._resolve(row, note)

        self.app.push_screen(ResolveDialog(row), recorded)

    @work(group="reconcile-resolve")
    async def _resolve(self, row: BreakRow, note: str) -> None:
        message = self.query_one("#rec-message", Static)
        try:
            seq = await resolve_break(self.register, row, note)
        except EntryRejected as exc:
            message.update(Text.assemble(("refused: ", "bold"), str(exc)))
            self.app.bell()
            self.notify(str(exc), title="Resolution refused", severity="error")
            return
        message.update(f"resolved {row.id} ({row.kind}, {row.scope} {row.day}) as action #{seq}")
        self.action_reload()
