"""Feeds: every feed's state, why, when it last answered, when it retries, and its recent
failures; `n` asks the sync to poll the selected feed now. Below, the rows the sync refused
from the feeds' answers and still asks for (desk/register/feedstate.py); `a` acknowledges
the highlighted one, with a note, when the pool will not correct it."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.theme import Theme
from textual.widgets import DataTable, Header, Input, Label, Static

from desk.register import RefusedRow, RegisterError
from desk.tui.screens.base import DeskScreen
from desk.tui.screens.figures import age_text
from desk.tui.widgets.footer import DeskFooter

COLUMNS = ("feed", "kind", "state", "last ok", "retry in", "reason")
REFUSED_COLUMNS = ("id", "feed", "day", "seen", "reason")


class AcknowledgeDialog(ModalScreen[str | None]):
    """The note an acknowledgement is recorded with: why the row may stay unwritten."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="acknowledge.cancel")]

    def __init__(self, row: RefusedRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        with Vertical(id="acknowledge-body"):
            yield Label(f"Acknowledge refused row {self.row.id} of {self.row.feed}: {self.row.reason}", markup=False)
            yield Label("Why may it stay unwritten? (enter to confirm, escape to cancel)")
            yield Input(id="acknowledge-note")

    @on(Input.Submitted)
    def _done(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())
        else:
            self.app.bell()

    def action_cancel(self) -> None:
        self.dismiss(None)


class FeedsScreen(DeskScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "poll_now", "Poll now", id="feeds.poll"),
        Binding("a", "acknowledge", "Acknowledge", id="feeds.acknowledge"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.refused: list[RefusedRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="feeds-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="feeds-history")
        yield DataTable(id="feeds-refused", cursor_type="row", zebra_stripes=True)
        yield Static("", id="feeds-status")
        yield DeskFooter(compact=True)

    def on_mount(self) -> None:
        self.columns = self.query_one("#feeds-table", DataTable).add_columns(*COLUMNS)
        self.query_one("#feeds-refused", DataTable).add_columns(*REFUSED_COLUMNS)
        self.query_one("#feeds-history").border_title = "recent failures"
        self.watch(self.app, "feeds", lambda _v: self._changed(), init=False)
        self.watch(self.app, "sync_status", lambda _v: self.show(), init=False)
        self.watch(self.app, "theme", lambda _v: self.show(), init=False)
        if hasattr(type(self.app), "data_version"):
            self.watch(self.app, "data_version", lambda _v: self.load_refused(), init=False)
        self.set_interval(1.0, self.show)  # float-ok: a duration (ages and countdowns tick)
        self.show()
        self.load_refused()

    def on_screen_resume(self) -> None:
        self.show()
        self.load_refused()

    def _changed(self) -> None:
        self.show()
        self.load_refused()  # a poll may have refused a row, or resolved one

    @property
    def feeds(self) -> tuple[Any, ...]:
        return tuple(getattr(self.app, "feeds", ()) or ())

    def show(self) -> None:
        """Redraw from `app.feeds`: cells in place while the feeds are the same ones (the
        cursor stays put), the whole table when feeds came or went."""
        table = self.query_one("#feeds-table", DataTable)
        now: datetime = self.desk_app.now()
        feeds = self.feeds
        if [str(key.value) for key in table.rows] == [f.name for f in feeds]:
            for feed in feeds:
                for column, value in zip(self.columns, feed_cells(feed, now, self.app.current_theme), strict=True):
                    table.update_cell(feed.name, column, value)
        else:
            table.clear()
            for feed in feeds:
                table.add_row(*feed_cells(feed, now, self.app.current_theme), key=feed.name)
        self._show_history()
        status = getattr(self.app, "sync_status", "") or ""
        self.query_one("#feeds-status", Static).update(f"{status}   (n: poll now, a: acknowledge)".strip())

    def load_refused(self) -> None:
        """Read the open refused rows again, off the screen's way (desk.tui.screens.base)."""
        if getattr(self.app, "register", None) is not None:
            self.read(self.register.refusals, self._show_refused, into="#feeds-refused", group="feeds-refused")

    def _show_refused(self, refused: list[RefusedRow]) -> None:
        self.refused = refused
        table = self.query_one("#feeds-refused", DataTable)
        keys = [str(r.id) for r in self.refused]
        if [str(key.value) for key in table.rows] != keys:
            table.clear()
            for row in self.refused:
                table.add_row(
                    str(row.id), row.feed, row.day.isoformat(), f"{row.times}x", Text(row.reason), key=str(row.id)
                )
        table.border_title = (
            f"refused rows still asked for: {len(self.refused)}" if self.refused else "no refused rows open"
        )

    def selected(self) -> Any | None:
        table = self.query_one("#feeds-table", DataTable)
        feeds = self.feeds
        if not feeds or table.row_count == 0 or table.cursor_row >= len(feeds):
            return None
        return feeds[table.cursor_row]

    def selected_refused(self) -> RefusedRow | None:
        table = self.query_one("#feeds-refused", DataTable)
        if not self.refused or table.cursor_row >= len(self.refused):
            return None
        return self.refused[table.cursor_row]

    @on(DataTable.RowHighlighted, "#feeds-table")
    def _highlighted(self) -> None:
        self._show_history()

    def _show_history(self) -> None:
        feed = self.selected()
        box = self.query_one("#feeds-history", Static)
        if feed is None:
            box.update("no feeds configured")
            return
        box.border_title = f"{feed.name}: recent failures"
        if not feed.failures:
            box.update("no failures recorded since the desk started")
            return
        box.update(Text("\n".join(f"{when:%Y-%m-%d %H:%M:%S}  {why}" for when, why in feed.failures)))

    def action_poll_now(self) -> None:
        feed = self.selected()
        if feed is None:
            self.app.bell()
            return
        self.notify(self.desk_app.poll_feed(feed.name), timeout=4)

    def action_acknowledge(self) -> None:
        """Acknowledge the highlighted refused row: asked for a note, recorded as a chained
        action by this operator; the row is no longer asked for."""
        row = self.selected_refused()
        if row is None:
            self.app.bell()
            return

        async def acknowledge(note: str) -> None:
            try:
                await self.register.acknowledge_refusal(row.id, note)
            except RegisterError as exc:
                self.app.bell()
                self.notify(str(exc), title="Not acknowledged", severity="error")
                return
            self.notify(f"refused row {row.id} of {row.feed} acknowledged: {note}", timeout=4)
            self.load_refused()

        def answered(note: str | None) -> None:
            if note:
                self.run_worker(partial(acknowledge, note), exclusive=True, group="feeds-acknowledge")

        self.app.push_screen(AcknowledgeDialog(row), answered)


#: the theme colour a feed state is shown in (the theme's own, so light and dark both hold)
STATE_COLOURS = {"ok": "success", "down": "error", "degraded": "warning", "stale": "warning", "waiting": "warning"}


def feed_cells(feed: Any, now: datetime, theme: Theme | None = None) -> tuple[str | Text, ...]:
    last_ok = f"{age_text(now - feed.last_ok)} ago" if feed.last_ok else "never"
    retry = age_text(feed.retry_at - now) if feed.retry_at and feed.retry_at > now else ""
    colour = getattr(theme, STATE_COLOURS.get(feed.state, ""), None) if theme else None
    state = Text(feed.state, style=f"bold {colour}") if colour else feed.state
    return (feed.name, feed.kind, state, last_ok, retry, Text(feed.reason or ""))
