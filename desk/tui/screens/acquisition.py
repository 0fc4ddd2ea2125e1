"""Seizure and purchase entry: keyboard-driven modal forms with the kinds' own fields (case
reference, legal basis and seizing authority; exchange, order id and price), checked as you
type by the same code as `desk seize` / `desk purchase` (desk.compliance.acquisitions).

A seizure is posted when recorded (it records a handover that already happened); a purchase
becomes a draft for another operator. The form dismisses with a line saying which, or None
when cancelled.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from desk.operations.acquisition import FIELDS, acquisition_entry, record_acquisition
from desk.register import EntryRejected, NewEntry, RegisterError
from desk.tui.screens.base import DeskModal

LABELS = {
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


class AcquisitionForm(DeskModal[str | None]):
    """`AcquisitionForm("seizure")` or `AcquisitionForm("purchase")`."""

    #: below 36 rows (80x24) the inputs lose their borders so every field, the hint and the
    #: errors stay on screen
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (36, "-tall")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="acquisition.cancel"),
        Binding("ctrl+s", "submit", "Record", id="acquisition.submit"),
    ]

    def __init__(self, kind: str) -> None:
        if kind not in ("seizure", "purchase"):
            raise ValueError(f"an acquisition form is for a seizure or a purchase, not {kind!r}")
        super().__init__()
        self.kind = kind
        self.fields = FIELDS[kind]
        self.entry: NewEntry | None = None
        self.problem: EntryRejected | None = None

    def compose(self) -> ComposeResult:
        reg = self.register
        accounts = reg.accounts()
        title = "New seizure (posted at once)" if self.kind == "seizure" else "New purchase (drafted for approval)"
        with Vertical(id="acquisition-body"):
            yield Label(f"[b]{title}[/b]  enter moves on, ctrl+s records, esc cancels")
            for name in self.fields:
                suggester = None
                if name in ("to", "into"):
                    suggester = SuggestFromList(accounts, case_sensitive=False)
                elif name in ("asset", "pay"):
                    suggester = SuggestFromList(sorted(reg.assets()), case_sensitive=False)
                elif name == "exchange":
                    venues = [a.split(":", 2)[2] for a in accounts if a.startswith("assets:exchange:")]
                    suggester = SuggestFromList(venues, case_sensitive=False)
                yield Input(placeholder=LABELS.get(name, name), id=f"if-{name}", suggester=suggester)
            yield Static("", id="acquisition-hint")
            yield Static("", id="acquisition-errors")

    def values(self) -> dict[str, str]:
        return {name: self.query_one(f"#if-{name}", Input).value for name in self.fields}

    @on(Input.Changed)
    def _changed(self) -> None:
        self.check(show_missing=False)

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        name = (event.input.id or "")[3:]
        if name == self.fields[-1]:
            self.action_submit()
        else:
            self.query_one(f"#if-{self.fields[self.fields.index(name) + 1]}", Input).focus()

    def check(self, *, show_missing: bool) -> NewEntry | None:
        """Build the entry from the fields; show what is wrong (a field still empty only on
        submit, so typing is not interrupted)."""
        reg = self.register
        errors = self.query_one("#acquisition-errors", Static)
        hint = self.query_one("#acquisition-hint", Static)
        try:
            self.entry = acquisition_entry(reg, self.kind, self.values(), self.desk_app.now())  # type: ignore[arg-type]
        except EntryRejected as exc:
            self.entry, self.problem = None, exc
            missing = str(exc) == "required"
            if missing and not show_missing:
                errors.update("")
                hint.update(f"next: {LABELS.get(exc.field or '', exc.field)}")
            else:
                errors.update(f"✗ {LABELS.get(exc.field or '', exc.field)}: {exc}")
                hint.update("")
            return None
        self.problem = None
        errors.update("")
        hint.update(self._summary(self.entry))
        return self.entry

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
        self.record(entry)

    @work(exclusive=True)
    async def record(self, entry: NewEntry) -> None:
        try:
            recorded = await record_acquisition(self.register, self.kind, entry)  # type: ignore[arg-type]
            if recorded.posted:
                done = f"entry #{recorded.number}: seizure of {entry.postings[1].amount} posted"
            else:
                done = f"draft #{recorded.number}: purchase waiting for another operator's approval"
        except RegisterError as exc:
            self.query_one("#acquisition-errors", Static).update(f"✗ {exc}")
            self.app.bell()
            return
        self.dismiss(done)
