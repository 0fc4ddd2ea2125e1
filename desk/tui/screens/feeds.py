"""Feeds: every feed's state, why, when it last answered, when it retries, and its recent
failures; `n` asks the sync to poll the selected feed now."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import DataTable, Footer, Header, Static

from desk.tui.screens.figures import age_text

COLUMNS = ("feed", "kind", "state", "last ok", "retry in", "reason")


class FeedsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "poll_now", "Poll now", id="feeds.poll"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="feeds-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="feeds-history")
        yield Static("", id="feeds-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.columns = self.query_one(DataTable).add_columns(*COLUMNS)
        self.query_one("#feeds-history").border_title = "recent failures"
        self.watch(self.app, "feeds", lambda _v: self.show(), init=False)
        self.watch(self.app, "sync_status", lambda _v: self.show(), init=False)
        self.watch(self.app, "theme", lambda _v: self.show(), init=False)
        self.set_interval(1.0, self.show)  # float-ok: a duration (ages and countdowns tick)
        self.show()

    def on_screen_resume(self) -> None:
        self.show()

    @property
    def feeds(self) -> tuple[Any, ...]:
        return tuple(getattr(self.app, "feeds", ()) or ())

    def show(self) -> None:
        """Redraw from `app.feeds`: cells in place while the feeds are the same ones (the
        cursor stays put), the whole table when feeds came or went."""
        table = self.query_one(DataTable)
        now: datetime = self.app.now()  # type: ignore[attr-defined]
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
        self.query_one("#feeds-status", Static).update(f"{status}   (n polls the selected feed now)".strip())

    def selected(self) -> Any | None:
        table = self.query_one(DataTable)
        feeds = self.feeds
        if not feeds or table.row_count == 0 or table.cursor_row >= len(feeds):
            return None
        return feeds[table.cursor_row]

    @on(DataTable.RowHighlighted)
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
        box.update("\n".join(f"{when:%Y-%m-%d %H:%M:%S}  {why}" for when, why in feed.failures))

    def action_poll_now(self) -> None:
        feed = self.selected()
        if feed is None:
            self.app.bell()
            return
        self.app.poll_feed(feed.name)  # type: ignore[attr-defined]
        self.notify(f"asked the sync to poll {feed.name} now", timeout=3)


#: the theme colour a feed state is shown in (the theme's own, so light and dark both hold)
STATE_COLOURS = {"ok": "success", "down": "error", "degraded": "warning", "stale": "warning", "waiting": "warning"}


def feed_cells(feed: Any, now: datetime, theme: Theme | None = None) -> tuple[str | Text, ...]:
    last_ok = f"{age_text(now - feed.last_ok)} ago" if feed.last_ok else "never"
    retry = age_text(feed.retry_at - now) if feed.retry_at and feed.retry_at > now else ""
    colour = getattr(theme, STATE_COLOURS.get(feed.state, ""), None) if theme else None
    state = Text(feed.state, style=f"bold {colour}") if colour else feed.state
    return (feed.name, feed.kind, state, last_ok, retry, feed.reason or "")
