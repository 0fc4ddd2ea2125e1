"""Transfer entry: a keyboard-driven modal form, validated as you type; it records a draft."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from desk.money import Amount, MoneyError, parse_amount
from desk.register import Posting, RegisterError, rules
from desk.transfers.drafting import draft_transfer, on_chain_entry
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


class TransferForm(ModalScreen[int | None]):
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
        reg = self.app.register  # type: ignore[attr-defined]
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
            yield Static("", id="transfer-value")
            yield Static("", id="transfer-errors")

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True)
    async def load(self) -> None:
        reg = self.app.register  # type: ignore[attr-defined]
        self.balances = await reg.balances()
        now = self.app.now()  # type: ignore[attr-defined]
        self.figures = await Figures.load(reg, self.app.settings, now, set(reg.assets()))  # type: ignore[attr-defined]
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

    def validate_form(self) -> Amount | None:
        """Judge what is typed so far by the register's own rules (desk/register/rules.py):
        the form refuses exactly what the register would refuse, before it is asked."""
        reg = self.app.register  # type: ignore[attr-defined]
        accounts = set(reg.accounts())
        errors: list[str] = []
        src, dst, code, text = self.value("from"), self.value("to"), self.value("asset"), self.value("amount")
        for label, acct in (("from", src), ("to", dst)):
            if acct and acct not in accounts:
                errors.append(f"{label}: unknown account {acct}")
        if src and src == dst:
            errors.append("from and to are the same account")
        asset = None
        if code:
            try:
                asset = reg.asset(code)
            except RegisterError as exc:
                errors.append(f"asset: {exc}")
        amount: Amount | None = None
        if asset is not None and text:
            try:
                amount = parse_amount(text, asset)
            except MoneyError as exc:
                errors.append(str(exc))
            else:
                if amount.units <= 0:
                    errors.append("amount: must be more than zero")
                    amount = None
        if src in accounts and dst in accounts and src != dst:
            # the direction of each leg is what the account rules judge; one unit stands in
            # for an amount not typed yet
            moved = amount or Amount.from_units(asset or next(iter(reg.assets().values())), 1)
            refusal = rules.flow_refusal("transfer", (Posting(src, -moved), Posting(dst, moved)))
            if refusal is not None:
                errors.append(str(refusal))
        if src in accounts and amount is not None:
            held = {key: have.units for key, have in self.balances.items()}
            refusal = rules.funds_refusal((Posting(src, -amount),), held)
            if refusal is not None:
                errors.append(str(refusal))
        self.errors = errors
        self.query_one("#transfer-errors", Static).update("\n".join(f"✗ {e}" for e in errors))
        self.query_one("#transfer-value", Static).update(self._value_text(amount))
        return amount

    def _value_text(self, amount: Amount | None) -> str:
        """The amount's worth at current prices in USD and KZT (and BTC when that is the
        reporting currency), with the prices' source and age."""
        if amount is None or self.figures is None:
            return ""
        currencies = ["USD", "KZT"] + (["BTC"] if self.app.currency == "BTC" else [])  # type: ignore[attr-defined]
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
        missing = [f for f in ("from", "to", "asset", "amount") if not self.value(f)]
        if missing:
            self.query_one("#transfer-errors", Static).update(f"✗ required: {', '.join(missing)}")
            self.app.bell()
            return
        if self.errors or amount is None:
            self.app.bell()
            return
        self.record(amount)

    @work(exclusive=True)
    async def record(self, amount: Amount) -> None:
        reg = self.app.register  # type: ignore[attr-defined]
        entry = on_chain_entry(
            self.app.settings,  # type: ignore[attr-defined]
            self.value("from"),
            self.value("to"),
            amount,
            self.app.now(),  # type: ignore[attr-defined]
            self.value("memo"),
            self.value("reference") or None,
        )
        try:
            draft_id = await draft_transfer(reg, entry)
        except RegisterError as exc:
            self.query_one("#transfer-errors", Static).update(f"✗ {exc}")
            self.app.bell()
            return
        chain = (entry.details or {}).get("chain")
        on_chain = f"; once approved it travels on {chain} (transfers in flight)" if chain else ""
        self.notify(f"draft #{draft_id} recorded; awaiting approval{on_chain}")
        self.dismiss(draft_id)
