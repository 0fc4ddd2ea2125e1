"""Transfer entry: a keyboard-driven modal form, validated as you type; it records a draft."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from desk.money import Amount
from desk.operations.transfer import TransferInput, check_transfer, draft_transfer, missing
from desk.register import RegisterError
from desk.tui.screens.base import DeskModal
from desk.tui.screens.figures import Figures

FIELDS = ("from", "to", "asset", "amount", "reference", "memo")
PLACEHOLDERS = {
    "from": "account, e.g. assets:wallet:ops (→ completes)",
    "to": "account, e.g. assets:reserve:cold",
    "asset": "BTC, BNB, KZTE…",
    "amount": "exact, at most the asset's decimals",
    "reference": "tx hash or order id (optional)",
    "memo": "why (optional)",
}


class TransferForm(DeskModal[int | None]):
    """Dismisses with the new draft id, or None when cancelled."""

    #: below 30 rows the inputs lose their borders so the whole form fits 80x24
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (30, "-tall")]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="transfer.cancel"),
        Binding("ctrl+s", "submit", "Record draft", id="transfer.submit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.balances: dict[tuple[str, str], Amount] = {}
        self.figures: Figures | None = None
        self.errors: list[str] = []

    def compose(self) -> ComposeResult:
        reg = self.register
        accounts = reg.accounts()
        with Vertical(id="transfer-body"):
            yield Label("[b]New transfer[/b] (enter moves on, ctrl+s records the draft, esc cancels)")
            for name in FIELDS:
                suggester = None
                if name in ("from", "to"):
                    suggester = SuggestFromList(accounts, case_sensitive=False)
                elif name == "asset":
                    suggester = SuggestFromList(sorted(reg.assets()), case_sensitive=False)
                with Horizontal(classes="tf-row"):
                    yield Label(name, classes="tf-label")
                    yield Input(placeholder=PLACEHOLDERS[name], id=f"tf-{name}", suggester=suggester)
            yield Static("", id="transfer-held")
            yield Static("", id="transfer-value")
            yield Static("", id="transfer-errors")

    def on_mount(self) -> None:
        self.read(self._held, self._held_read, into="#transfer-errors", group="transfer-held")

    async def _held(self) -> tuple[dict[tuple[str, str], Amount], Figures]:
        reg = self.register
        balances = await reg.balances()
        return balances, await Figures.load(reg, self.desk_app.settings, self.desk_app.now(), set(reg.assets()))

    def _held_read(self, held: tuple[dict[tuple[str, str], Amount], Figures]) -> None:
        """Balances and prices, delivered (dropped if the form was closed before they came)."""
        self.balances, self.figures = held
        self.validate_form()

    def value(self, name: str) -> str:
        return self.query_one(f"#tf-{name}", Input).value.strip()

    @on(Input.Changed)
    def _changed(self) -> None:
        self.validate_form()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        name = (event.input.id or "")[3:]
        if name == FIELDS[-1]:
            self.action_submit()
        else:
            self.query_one(f"#tf-{FIELDS[FIELDS.index(name) + 1]}", Input).focus()

    def typed(self) -> TransferInput:
        return TransferInput(*(self.value(name) for name in FIELDS))

    def validate_form(self) -> Amount | None:
        """Judge what is typed so far as `desk transfer` does (desk.operations.transfer): the
        form refuses exactly what the register would refuse, before it is asked."""
        check = check_transfer(self.register, self.typed(), held=self.balances)
        self.errors = check.problems
        self.query_one("#transfer-errors", Static).update("\n".join(f"✗ {e}" for e in check.problems))
        self.query_one("#transfer-value", Static).update(self._value_text(check.amount))
        self.query_one("#transfer-held", Static).update(self._held_text())
        return check.amount

    def _held_text(self) -> str:
        """What the "from" account holds (of the asset typed, or of every asset), shown as
        soon as the account is known: before an amount is typed, not only once it is too much."""
        source, code = self.value("from"), self.value("asset")
        held = [
            amount
            for (account, asset), amount in sorted(self.balances.items())
            if account == source and amount.units and (not code or asset == code)
        ]
        if source not in self.register.accounts():
            return ""
        return f"{source} holds {', '.join(str(a) for a in held) or 'nothing' + (f' in {code}' if code else '')}"

    def _value_text(self, amount: Amount | None) -> str:
        """The amount's worth at current prices in USD and KZT (and BTC when that is the
        reporting currency), with the prices' source and age."""
        if amount is None or self.figures is None:
            return ""
        currencies = ["USD", "KZT"] + (["BTC"] if self.desk_app.currency == "BTC" else [])
        shown = [self.figures.value(amount, cur) for cur in currencies]
        if shown[0].value is None:
            return f"value: n/a ({shown[0].why})"
        values = "  ≈ ".join(s.text for s in shown if s.value is not None)
        stale = "  (stale price)" if any(s.stale for s in shown) else ""
        return f"value ≈ {values}{stale}\n[dim]{self.figures.provenance(shown[1] if shown[1].value else shown[0])}[/]"

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        amount = self.validate_form()
        empty = missing(self.typed())
        if empty:
            self.query_one("#transfer-errors", Static).update(f"✗ required: {', '.join(empty)}")
            self.app.bell()
            return
        if self.errors or amount is None:
            self.app.bell()
            return
        self.record()

    @work(exclusive=True)
    async def record(self) -> None:
        errors = self.query_one("#transfer-errors", Static)  # looked up before the write
        try:
            drafted = await draft_transfer(
                self.register,
                self.typed(),
                self.desk_app.now(),
                settings=self.desk_app.settings,
            )
        except RegisterError as exc:
            self.deliver(errors, errors.update, f"✗ {exc}")
            self.app.bell()
            return
        on_chain = f"; once approved it travels on {drafted.chain} (transfers in flight)" if drafted.chain else ""
        self.notify(f"draft #{drafted.id} recorded; awaiting approval{on_chain}")
        self.dismiss(drafted.id)
