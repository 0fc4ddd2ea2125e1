"""Dashboard: reserve balances and the latest register activity, refreshed live."""

from __future__ import annotations

import threading
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from desk.tui.format import header_text, row_text


class DashboardScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("g", "refresh_now", "Refresh", id="dashboard.refresh")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("balances …", id="dash-balances")
        yield Static("recent …", id="dash-recent")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_now()
        self.set_interval(2.0, self.refresh_now)  # float-ok: a duration
        engine = getattr(self.app, "engine", None)
        if engine is not None and hasattr(engine, "subscribe"):
            engine.subscribe(self._on_engine_event)

    def _on_engine_event(self, _event: object) -> None:
        if threading.get_ident() == self.app._thread_id:
            self.call_later(self.refresh_now)
        else:
            self.app.call_from_thread(self.refresh_now)

    def action_refresh_now(self) -> None:
        self.refresh_now()

    @work(exclusive=True, group="dashboard")
    async def refresh_now(self) -> None:
        reg = self.app.register  # type: ignore[attr-defined]
        balances = await reg.balances()
        recent = await reg.recent(15)
        count = await reg.count()
        bal_lines = ["[b]balances[/b]"] + [f"  {acct:<40} {amt!s:>26}" for (acct, _a), amt in balances.items()]
        self.query_one("#dash-balances", Static).update("\n".join(bal_lines))
        rec_lines = [f"[b]latest activity[/b] ({count} entries)", header_text(), *(row_text(e) for e in recent)]
        self.query_one("#dash-recent", Static).update("\n".join(rec_lines))
