"""The register screen: the whole book, virtualised, with search and filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Header, Input, Static

from desk.register import PageFilter
from desk.tui.screens.base import DeskScreen
from desk.tui.widgets.footer import DeskFooter
from desk.tui.widgets.register_view import RegisterView


class RegisterScreen(DeskScreen):
    #: focused as the screen is composed, so its keys are in the footer's first build
    AUTO_FOCUS = "RegisterView"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="register.search"),
        Binding("escape", "clear", "Clear", id="register.clear"),
        Binding("v", "verify", "Verify", id="register.verify"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Input(
                placeholder="memo / reference / tx hash  acct:NAME asset:BTC kind:payout from:YYYY-MM-DD to:YYYY-MM-DD",
                id="search",
            )
            yield RegisterView(self.register, id="register-view")
            yield Static("", id="register-status")
            yield Static("", id="register-chain")
        yield DeskFooter(compact=True)

    def on_mount(self) -> None:
        self.read(self.register.head, self._show_head, into="#register-chain", group="register-head")

    def _show_head(self, head: tuple[int, str]) -> None:
        seq, digest = head
        self._chain(f"chain head #{seq} {digest[:16]}…  not verified in this session (v verifies)", "")

    def _chain(self, text: str, state: str) -> None:
        line = self.query_one("#register-chain", Static)
        line.update(text)
        line.set_class(state == "ok", "-ok")
        line.set_class(state == "broken", "-broken")

    @on(RegisterView.Counted)
    def _counted(self, event: RegisterView.Counted) -> None:
        view = self.query_one(RegisterView)
        shown = f"showing {event.shown} of {event.total}"
        if not view.filters.empty:
            shown = (
                f"{event.shown}{'' if view.exhausted else '+'} match {describe(view.filters)}  ({event.total} in all)"
            )
        self.query_one("#register-status", Static).update(shown)

    @on(RegisterView.Opened)
    def _opened(self, event: RegisterView.Opened) -> None:
        from desk.tui.screens.detail import EntryDetail

        self.app.push_screen(EntryDetail(event.seq))

    @on(Input.Submitted, "#search")
    def _search(self, event: Input.Submitted) -> None:
        try:
            filters = parse_filter(event.value)
        except ValueError as exc:
            self.query_one("#register-status", Static).update(f"✗ {exc}")
            self.app.bell()
            return
        view = self.query_one(RegisterView)
        view.set_filter(filters)
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
        """Recompute both hash chains (in a worker thread: the screen keeps answering)."""
        self._chain("chain: verifying…", "")
        result = await self.register.verify()
        if result.ok:
            self._chain(
                f"chain OK: {result.entries} entries, {result.actions} actions, head {result.head_hash[:16]}…", "ok"
            )
            return
        where = f" at entry #{result.first_bad_seq}" if result.first_bad_seq is not None else ""
        self._chain(f"chain BROKEN{where}: {result.problems[0]}", "broken")
        self.desk_app.alert(f"the register's chain is broken{where}: {result.problems[0]}", title="Verify")


DATE_KEYS = {"from": "since", "since": "since", "to": "until", "until": "until"}


def parse_filter(text: str) -> PageFilter:
    """`acct:X asset:BTC kind:payout from:2026-11-01 to:2026-11-20 rest…` → PageFilter; the
    rest is the text search. `to:` includes that whole day. A bad date raises ValueError
    naming the word."""
    fields: dict[str, str] = {}
    dates: dict[str, datetime] = {}
    words: list[str] = []
    for word in text.split():
        key, sep, value = word.partition(":")
        if sep and key in DATE_KEYS and value:
            try:
                day = date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{word}: the date must be YYYY-MM-DD") from None
            start = datetime.combine(day, time(0), tzinfo=UTC)
            dates[DATE_KEYS[key]] = start if DATE_KEYS[key] == "since" else start + timedelta(days=1)
        elif sep and key in ("acct", "account", "asset", "kind") and value:
            fields["account" if key.startswith("acct") else key] = value
        else:
            words.append(word)
    if "since" in dates and "until" in dates and dates["since"] >= dates["until"]:
        raise ValueError("from: is after to:; the range is empty")
    return PageFilter(
        account=fields.get("account"),
        asset=fields.get("asset", "").upper() or None,
        kind=fields.get("kind"),
        since=dates.get("since"),
        until=dates.get("until"),
        text=" ".join(words) or None,
    )


def describe(filters: PageFilter) -> str:
    """The active filter in the search syntax, e.g. `kind:payout from:2026-11-01`."""
    parts = [
        f"{name}:{value}"
        for name, value in (("acct", filters.account), ("asset", filters.asset), ("kind", filters.kind))
        if value
    ]
    if filters.since:
        parts.append(f"from:{filters.since:%Y-%m-%d}")
    if filters.until:
        parts.append(f"to:{filters.until - timedelta(days=1):%Y-%m-%d}")
    if filters.text:
        parts.append(repr(filters.text))
    return " ".join(parts)
