"""The register screen: the whole book, virtualised, with search and filters; a chain hash
(as the entry detail shows it) opens its entry, `y` copies the highlighted entry's reference
(or its hash), `e` exports what the search shows to a CSV file, `o` reads the book oldest
first (or newest first again)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Header, Input, Static

from desk.operations.view_export import export_view
from desk.register import KINDS, Entry, PageFilter
from desk.tui.screens.base import DeskScreen
from desk.tui.widgets.fit import update_text
from desk.tui.widgets.footer import DeskFooter
from desk.tui.widgets.register_view import FirstPage, RegisterView, first_page


class RegisterScreen(DeskScreen):
    #: focused as the screen is composed, so its keys are in the footer's first build
    AUTO_FOCUS = "RegisterView"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="register.search"),
        Binding("escape", "clear", "Clear", id="register.clear"),
        Binding("v", "verify", "Verify", id="register.verify"),
        Binding("y", "copy", "Copy ref/hash", id="register.copy"),
        Binding("e", "export", "Export view", id="register.export"),
        Binding("o", "order", "Order", tooltip="Oldest or newest first", id="register.order"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._first: FirstPage | None = None

    async def prepare(self) -> None:
        """Read the book's first page before the screen is first built (DeskApp's
        switch_screen): its first frame then has rows, with no read running beside its
        building and no second layout when the rows come."""
        self._first = await first_page(self.register)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Input(
                placeholder="memo / reference / tx hash  acct:NAME asset:BTC kind:payout from:YYYY-MM-DD to:YYYY-MM-DD",
                id="search",
            )
            yield RegisterView(self.register, first=self._first, id="register-view")
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
        update_text(line, text)
        line.set_class(state == "ok", "-ok")
        line.set_class(state == "broken", "-broken")

    @on(RegisterView.Counted)
    def _counted(self, event: RegisterView.Counted) -> None:
        view = self.query_one(RegisterView)
        order = "oldest first" if view.oldest_first else "newest first"
        shown = f"showing {event.shown} of {event.total}, {order}"
        if not view.filters.empty:
            shown = (
                f"{event.shown}{'' if view.exhausted else '+'} match {describe(view.filters)}  "
                f"({event.total} in all), {order}"
            )
        update_text(self.query_one("#register-status", Static), shown)

    @on(RegisterView.Opened)
    def _opened(self, event: RegisterView.Opened) -> None:
        from desk.tui.screens.detail import EntryDetail

        self.app.push_screen(EntryDetail(event.seq))

    @on(Input.Submitted, "#search")
    def _search(self, event: Input.Submitted) -> None:
        view = self.query_one(RegisterView)
        try:
            filters = parse_filter(event.value, self.register.accounts())
        except ValueError as exc:
            # the rows below stay those of the last good search, and the line says so
            still = describe(view.filters) or "the whole book"
            self._status(f"✗ {exc} — still showing: {still}", error=True)
            self.app.bell()
            return
        self._status("", error=False)
        text = event.value.strip()
        if _HASH.fullmatch(text):
            self.find_hash(text, filters)
            return
        view.set_filter(filters)
        view.focus()

    @work(exclusive=True, group="register-hash")
    async def find_hash(self, text: str, filters: PageFilter) -> None:
        """A chain hash (or a prefix of one) opens its entry; otherwise it is searched as a
        tx hash among the references, as before."""
        from desk.tui.screens.detail import EntryDetail

        seqs = await self.register.entries_with_hash(text)
        if len(seqs) == 1:
            self._status(f"chain hash {text[:16]}… is entry #{seqs[0]}", error=False)
            self.app.push_screen(EntryDetail(seqs[0]))
            return
        if len(seqs) > 1:
            self._status(f"✗ {text} starts the hash of more than one entry; type more of it", error=True)
            return
        view = self.query_one(RegisterView)
        view.set_filter(filters)
        view.focus()

    def _status(self, text: str, *, error: bool) -> None:
        line = self.query_one("#register-status", Static)
        line.set_class(error, "-error")
        if text:
            update_text(line, text)

    def _highlighted(self) -> Entry | None:
        """The entry under the cursor (by its index in the book: the rows held are only the
        pages near the viewport, so a position among them is not the cursor's)."""
        view = self.query_one(RegisterView)
        return view.row(view.cursor) if view.reached else None

    def action_order(self) -> None:
        """Newest first or oldest first: the search and its filters stay."""
        view = self.query_one(RegisterView)
        view.set_order(oldest_first=not view.oldest_first)
        view.focus()

    def action_copy(self) -> None:
        """The highlighted entry's reference (tx hash, order id), or its chain hash when it has
        none, to the clipboard (the terminal's, through OSC 52)."""
        entry = self._highlighted()
        if entry is None:
            return
        what, text = ("reference", entry.reference) if entry.reference else ("chain hash", entry.hash)
        self.app.copy_to_clipboard(text)
        self.notify(f"copied entry #{entry.seq}'s {what}: {text}", title="Copied")

    @work(exclusive=True, group="register-export")
    async def action_export(self) -> None:
        """What the search shows, oldest first, as CSV in the reports folder; a toast says where."""
        view = self.query_one(RegisterView)
        path, count = await export_view(self.register, view.filters, self.desk_app.now())
        shown = describe(view.filters) or "the whole book"
        self.notify(f"{count} entries ({shown}) exported to {path}", title="Exported", timeout=30)

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear(self) -> None:
        self.query_one("#search", Input).value = ""
        self._status("", error=False)
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


#: a search that is one hex word of at least 8 digits may be a chain hash (desk/register/hashes.py)
_HASH = re.compile(r"[0-9a-fA-F]{8,}")
DATE_KEYS = {"from": "since", "since": "since", "to": "until", "until": "until"}


def parse_filter(text: str, accounts: list[str] | None = None) -> PageFilter:
    """`acct:X asset:BTC kind:payout from:2026-11-01 to:2026-11-20 rest…` → PageFilter; the
    rest is the text search. `to:` includes that whole day. `acct:` takes an account's last
    segment(s) (`ops` for assets:wallet:ops) when `accounts` lists the known ones. A bad
    date, an unknown kind or an account that names none or several raises ValueError naming
    the word (and the valid kinds or the candidates)."""
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
    if fields.get("kind") and fields["kind"] not in KINDS:
        raise ValueError(f"kind:{fields['kind']} is not a kind; one of: {', '.join(sorted(KINDS))}")
    if fields.get("account") and accounts is not None:
        fields["account"] = account_named(fields["account"], accounts)
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


def account_named(name: str, accounts: list[str]) -> str:
    """The account `name` means: itself, or the one account whose last segment(s) it is."""
    if name in accounts:
        return name
    matches = [a for a in accounts if a.endswith(f":{name}")]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ValueError(f"acct:{name} names {len(matches)} accounts: {', '.join(matches)}; type more of it")
    raise ValueError(
        f"acct:{name} names no account; accounts end in: {', '.join(a.rsplit(':', 1)[-1] for a in accounts)}"
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
