"""Seizure and purchase entry: keyboard-driven modal forms with the kinds' own fields (case
reference, legal basis and seizing authority; exchange, order id and price), checked by the
same code as `desk seize` / `desk purchase` (desk.operations.acquisition): a field's problem
shows as soon as the field is left, and each field keeps its label above it (a placeholder
vanishes once typed).

ctrl+s shows the whole entry (desk.operations.describe) and, for a purchase, a price far from
the market; only `y` there records it. A seizure is posted when recorded (it records a handover
that already happened); a purchase becomes a draft for another operator. The form dismisses
with a line saying which, or None when cancelled.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from desk.money import Amount
from desk.operations.acquisition import (
    FIELDS,
    acquisition_entry,
    field_problems,
    missing_fields,
    purchase_price_warning,
    record_acquisition,
)
from desk.operations.describe import describe_entry
from desk.register import EntryRejected, NewEntry, RegisterError
from desk.tui.screens.base import DeskModal
from desk.tui.screens.confirm import ConfirmScreen

LABELS = {
    "exchange": "exchange (assets:exchange:<name>)",
    "asset": "asset bought or seized",
    "amount": "amount",
    "case": "case account name (income:seized:<name>)",
    "case_reference": "case reference",
    "legal_basis": "legal basis",
    "authority": "seizing authority",
    "to": "reserve account",
    "tx": "handover tx hash (optional)",
    "order_id": "order id",
    "price": "price per unit bought, in the paying asset",
    "pay": "paid with (asset)",
    "into": "lands in (default: the exchange account)",
    "memo": "memo (optional)",
}
#: what a field looks like, shown in it while it is empty
EXAMPLES = {
    "case": "c-117",
    "case_reference": "2-117/26",
    "legal_basis": "CPC art. 48",
    "authority": "AFM",
    "asset": "BTC",
    "amount": "0.75",
    "to": "assets:reserve:cold",
    "exchange": "aix",
    "order_id": "ord-55",
    "price": "97000",
    "pay": "USDT",
}


def said(name: str, problem: str) -> str:
    """`✗ <label>: <problem>`, the field named once even when the problem already names it."""
    label = LABELS.get(name, name)
    return f"✗ {label}: {problem.removeprefix(f'{name}: ').removeprefix(f'{label}: ')}"


class AcquisitionForm(DeskModal[str | None]):
    """`AcquisitionForm("seizure")` or `AcquisitionForm("purchase")`."""

    #: below 36 rows (80x24) the inputs lose their borders so every field, its label, the
    #: hint and the errors stay on screen
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (36, "-tall")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="acquisition.cancel"),
        Binding("ctrl+s", "submit", "Review", id="acquisition.submit"),
    ]

    def __init__(self, kind: str) -> None:
        if kind not in ("seizure", "purchase"):
            raise ValueError(f"an acquisition form is for a seizure or a purchase, not {kind!r}")
        super().__init__()
        self.kind = kind
        self.fields = FIELDS[kind]
        self.entry: NewEntry | None = None
        self.problem: EntryRejected | None = None
        #: the fields left at least once: their problems show (a field being typed is not nagged)
        self.touched: set[str] = set()
        self.balances: dict[tuple[str, str], Amount] = {}

    def compose(self) -> ComposeResult:
        reg = self.register
        accounts = reg.accounts()
        title = "New seizure (posted once confirmed)"
        if self.kind == "purchase":
            title = "New purchase (drafted for approval)"
        with Vertical(id="acquisition-body"):
            yield Label(f"[b]{title}[/b]  enter moves on, ctrl+s reviews, esc cancels")
            for name in self.fields:
                suggester = None
                if name in ("to", "into"):
                    suggester = SuggestFromList(accounts, case_sensitive=False)
                elif name in ("asset", "pay"):
                    suggester = SuggestFromList(sorted(reg.assets()), case_sensitive=False)
                elif name == "exchange":
                    venues = [a.split(":", 2)[2] for a in accounts if a.startswith("assets:exchange:")]
                    suggester = SuggestFromList(venues, case_sensitive=False)
                yield Label(LABELS.get(name, name), classes="af-label", id=f"il-{name}")
                yield Input(placeholder=EXAMPLES.get(name, ""), id=f"if-{name}", suggester=suggester)
            yield Static("", id="acquisition-hint")
            yield Static("", id="acquisition-warning")
            yield Static("", id="acquisition-errors")

    def on_mount(self) -> None:
        self.read(self.register.balances, self._balances_read, into="#acquisition-errors", group="acquisition-balances")

    def _balances_read(self, balances: dict[tuple[str, str], Amount]) -> None:
        """What each account holds: a purchase shows what the exchange has to pay with
        before an amount is typed. Delivered, not applied by the worker: the form may be
        closed (esc) before the read ends, and then it is dropped."""
        self.balances = balances
        self.check(show_missing=False)

    def values(self) -> dict[str, str]:
        return {name: self.query_one(f"#if-{name}", Input).value for name in self.fields}

    @on(Input.Changed)
    def _changed(self) -> None:
        self.check(show_missing=False)

    @on(Input.Blurred)
    def _left(self, event: Input.Blurred) -> None:
        self.touched.add((event.input.id or "")[3:])
        self.check(show_missing=False)

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        name = (event.input.id or "")[3:]
        if name == self.fields[-1]:
            self.action_submit()
        else:
            self.query_one(f"#if-{self.fields[self.fields.index(name) + 1]}", Input).focus()

    def check(self, *, show_missing: bool) -> NewEntry | None:
        """Build the entry from the fields; show each left field's problem, and on submit
        (`show_missing`) every problem and every required field still empty, by name."""
        reg = self.register
        values, now = self.values(), self.desk_app.now()
        errors = self.query_one("#acquisition-errors", Static)
        hint = self.query_one("#acquisition-hint", Static)
        empty = missing_fields(self.kind, values)  # type: ignore[arg-type]
        # once every required field is filled (or on submit), every problem shows
        shown = self.touched | ({*self.fields} if show_missing or not empty else set())
        problems = {k: v for k, v in field_problems(reg, self.kind, values, now).items() if k in shown}  # type: ignore[arg-type]
        lines = [said(name, problem) for name, problem in problems.items()]
        if show_missing and empty:
            lines.append(f"✗ required, still empty: {', '.join(LABELS.get(n, n) for n in empty)}")
        self.entry = None
        if not problems and not empty:
            try:
                self.entry = acquisition_entry(reg, self.kind, values, now)  # type: ignore[arg-type]
                self.problem = None
            except EntryRejected as exc:
                self.problem = exc
                if show_missing or exc.field in shown:
                    lines.append(said(exc.field or "", str(exc)))
        errors.update("\n".join(lines))
        if self.entry is not None:
            hint.update(self._summary(self.entry))
            if self.kind == "purchase":
                self.warn(self.entry)
        else:
            nxt = next((LABELS.get(n, n) for n in empty), None)
            hint.update(" · ".join(x for x in (self._holdings(values), f"next: {nxt}" if nxt else "") if x))
            self.query_one("#acquisition-warning", Static).update("")
        return self.entry

    def _holdings(self, values: dict[str, str]) -> str:
        """A purchase's exchange account and what it holds, shown before an amount is typed."""
        if self.kind != "purchase" or not values.get("exchange", "").strip():
            return ""
        account = f"assets:exchange:{values['exchange'].strip()}"
        held = [str(a) for (acct, _code), a in sorted(self.balances.items()) if acct == account and a.units]
        if account not in self.register.accounts():
            return ""
        return f"{account} holds {', '.join(held) or 'nothing'}"

    @work(exclusive=True, group="acquisition-warning")
    async def warn(self, entry: NewEntry) -> None:
        """A price far from the market, said as the price is typed (desk.operations.acquisition)."""
        settings = getattr(self.desk_app, "settings", None)  # a form may run in an app without settings
        line = self.query_one("#acquisition-warning", Static)
        warning = await purchase_price_warning(self.register, settings, entry)
        # delivered, not applied here: the form may have closed while the market was read
        self.deliver(line, line.update, f"⚠ {warning}" if warning else "")

    def _summary(self, entry: NewEntry) -> str:
        given, received = entry.postings
        if self.kind == "seizure":
            return f"{received.amount} from {given.account} into {received.account}"
        return f"buy {received.amount} for {abs(given.amount)} at {entry.price}"

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        entry = self.check(show_missing=True)
        if entry is None:
            self.app.bell()
            return
        self.review(entry)

    @work(exclusive=True, group="acquisition-act")
    async def review(self, entry: NewEntry) -> None:
        """The whole entry and its warnings in the confirm step; `y` there records it."""
        reg, now, settings = self.register, self.desk_app.now(), getattr(self.desk_app, "settings", None)
        description = await describe_entry(reg, entry, now, settings)
        warning = await purchase_price_warning(reg, settings, entry)
        warnings = [str(warning)] if warning else []
        act = "post this seizure" if self.kind == "seizure" else "draft this purchase"

        def answered(yes: bool | None) -> None:
            if yes:
                self.record(entry)

        self.app.push_screen(ConfirmScreen(description, act, warnings=warnings), answered)

    @work(exclusive=True, group="acquisition-act")
    async def record(self, entry: NewEntry) -> None:
        errors = self.query_one("#acquisition-errors", Static)  # looked up before the write
        try:
            recorded = await record_acquisition(self.register, self.kind, entry)  # type: ignore[arg-type]
            if recorded.posted:
                done = f"entry #{recorded.number}: seizure of {entry.postings[1].amount} posted"
            else:
                done = f"draft #{recorded.number}: purchase waiting for another operator's approval"
        except RegisterError as exc:
            self.deliver(errors, errors.update, f"✗ {exc}")
            self.app.bell()
            return
        self.dismiss(done)
