"""The register screen: the whole book, virtualised, with search and filters."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from desk.register import PageFilter
from desk.tui.widgets.register_view import RegisterView


class RegisterScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="register.search"),
        Binding("escape", "clear", "Clear", id="register.clear"),
        Binding("v", "verify", "Verify", id="register.verify"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Input(placeholder="search memo / reference / tx hash; acct:NAME asset:BTC kind:payout", id="search")
            yield RegisterView(self.app.register, id="register-view")  # type: ignore[attr-defined]
            yield Static("", id="register-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(RegisterView).focus()

    @on(RegisterView.Counted)
    def _counted(self, event: RegisterView.Counted) -> None:
        self.query_one("#register-status", Static).update(f"showing {event.shown} of {event.total}")

    @on(RegisterView.Opened)
    def _opened(self, event: RegisterView.Opened) -> None:
        from desk.tui.screens.detail import EntryDetail

        self.app.push_screen(EntryDetail(event.seq))

    @on(Input.Submitted, "#search")
    def _search(self, event: Input.Submitted) -> None:
        view = self.query_one(RegisterView)
        view.set_filter(parse_filter(event.value))
        view.focus()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear(self) -> None:
        self.query_one("#search", Input).value = ""
        view = self.query_one(RegisterView)
        view.set_filter(PageFilter())
        view.focus()

    @work(exclusive=True, group="verify")
    async def action_verify(self) -> None:
        result = await self.app.register.verify()  # type: ignore[attr-defined]
        ok = getattr(result, "ok", None)
        self.notify(f"chain verify: {'ok' if ok else result}", severity="information" if ok else "error")


def parse_filter(text: str) -> PageFilter:
    """`acct:X asset:BTC kind:payout rest…` → PageFilter; the rest is the text search."""
    fields: dict[str, str] = {}
    words: list[str] = []
    for word in text.split():
        key, sep, value = word.partition(":")
        if sep and key in ("acct", "account", "asset", "kind") and value:
            fields["account" if key.startswith("acct") else key] = value
        else:
            words.append(word)
    return PageFilter(
        account=fields.get("account"),
        asset=fields.get("asset", "").upper() or None,
        kind=fields.get("kind"),
        text=" ".join(words) or None,
    )
