"""Proof of reserves on screen: each reserve address's balance on its chain beside the
register's balance of its account, the difference highlighted, the block (slot) and time
each chain was read at, and the register's head hash the proof is signed off with (the
hash the public transparency snapshot publishes). `g` reads the chains again.

The comparison is desk.proof.proof's; the read talks to three chains, so it runs in a
worker, and a chain that cannot be read is named on its row, never shown as zero.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Header, Static

from desk.money import Amount, amount_text
from desk.proof.live import read_proof
from desk.proof.proof import AccountCheck, AddressReading, ReserveReport
from desk.tui.screens.base import DeskScreen
from desk.tui.widgets.footer import DeskFooter

#: Reads the proof for the app (the live read by default; a prepared one in snapshots).
ProofSource = Callable[[Any], Awaitable[ReserveReport]]

COLUMNS = ("address", "chain", "asset", "on chain", "in flight", "register", "difference", "as of block · time")


async def live_proof(app: Any) -> ReserveReport:
    return await read_proof(app.settings, app.register, app.now)


def exact(amount: Amount) -> str:
    """The one amount format (`desk.money.amount_text`); where that would cut digits (wei of
    BNB) the whole figure instead, grouped and without trailing zeros: a proof must show a
    one-wei difference as one wei, not as `≈0.00000000`."""
    text = amount_text(amount, code=False)
    if text.startswith("≈"):
        text = amount.format().rstrip("0").rstrip(".")
    return text


def _amount(value: Amount | None) -> str:
    return "-" if value is None else exact(value)


def short_address(address: str) -> str:
    """Long addresses as their head and tail (the failures line under the table and the
    JSON of `desk reserves` keep them whole)."""
    return address if len(address) <= 18 else f"{address[:9]}…{address[-8:]}"


def _as_of(reading: AddressReading) -> str:
    balance = reading.balance
    if balance is None:
        return "-"
    height = f"{balance.block_height:,} · " if balance.block_height is not None else ""
    return f"{height}{balance.as_of:%H:%M}"


def check_rows(check: AccountCheck) -> list[tuple[Text | str, ...]]:
    """One row per address; the account's register balance and the difference on its
    first row (an account with several addresses is compared once, with their sum)."""
    diff = check.difference
    if check.ok and diff:
        diff_cell = Text(f"{exact(diff)} in flight", style="yellow", justify="right")
    elif check.ok:
        diff_cell = Text("0", style="green", justify="right")
    elif diff is None:
        diff_cell = Text("unproven", style="bold red", justify="right")
    else:
        diff_cell = Text(exact(diff), style="bold red", justify="right")
    rows: list[tuple[Text | str, ...]] = []
    for i, reading in enumerate(check.readings):
        on_chain = (
            Text(_amount(reading.on_chain), justify="right")
            if reading.error is None
            else Text("unreadable", style="bold red", justify="right")
        )
        first = i == 0
        rows.append(
            (
                short_address(reading.entry.address),
                reading.entry.chain,
                check.asset,
                on_chain,
                Text(_amount(check.in_flight) if first and check.in_flight is not None else "", justify="right"),
                Text(_amount(check.register) if first else "", justify="right"),
                diff_cell if first else Text(""),
                _as_of(reading),
            )
        )
    if len(check.readings) > 1:
        rows.append(
            (
                f"Σ {check.account}",
                "",
                check.asset,
                Text(_amount(check.on_chain), justify="right"),
                Text(""),
                Text(""),
                Text(""),
                "",
            )
        )
    return rows


class ReservesScreen(DeskScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("g", "reload", "Read chains", id="reserves.reload"),
    ]

    def __init__(self, source: ProofSource | None = None) -> None:
        super().__init__()
        self.source = source or live_proof
        #: the proof on screen (None until the first read ends)
        self.report: ReserveReport | None = None
        self._reading = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="res-status")
        yield Static("", id="res-head")
        yield DataTable(id="res-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="res-failures")
        yield DeskFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#res-table", DataTable).add_columns(*COLUMNS)
        self.query_one("#res-table").border_title = "reserve addresses: chain vs register"
        self.query_one("#res-table").focus()
        self.action_reload()

    def action_reload(self) -> None:
        if self._reading:
            return
        self._reading = True
        status = self.query_one("#res-status", Static)
        status.update("reading the reserve's addresses on their chains …")
        status.set_classes("-loading")
        self._read()

    def _read(self) -> None:
        """Read in a worker; the result is applied as a message to the status line
        (desk.tui.screens.base), dropped by Textual if the screen went meanwhile."""
        self.read(self._fetch, self._apply, into="#res-status", group="reserves")

    async def _fetch(self) -> ReserveReport | Exception:
        try:
            return await self.source(self.app)
        except Exception as exc:  # no reserve addresses, a bad config: said, not raised
            return exc
        finally:
            self._reading = False

    def _apply(self, read: ReserveReport | Exception) -> None:
        if isinstance(read, Exception):
            status = self.query_one("#res-status", Static)
            status.update(Text(f"no proof: {read}"))
            status.set_classes("-error")
            self.app.bell()
            return
        self.show(read)

    def show(self, report: ReserveReport) -> None:
        self.report = report
        status = self.query_one("#res-status", Static)
        failures = report.failures()
        checked = f"checked {report.checked_at:%Y-%m-%d %H:%M:%S} UTC"
        if report.ok:
            flying = sum(len(c.flight.transfers) for c in report.checks if c.flight)
            held = f" · holds with {flying} transfer(s) in flight" if flying else ""
            status.update(f"register equals chain · {len(report.checks)} account(s){held} · {checked}")
            status.set_classes("-clean")
        else:
            status.update(f"PROOF FAILS: {len(failures)} problem(s) · {checked}")
            status.set_classes("-open")
        seq, head = report.register_head
        heights = ", ".join(
            f"{chain} {'slot' if chain == 'solana' else 'block'} {h:,}" for chain, h in report.heights.items()
        )
        self.query_one("#res-head", Static).update(f"register head #{seq} {head} · {heights or 'no chain read'}")
        table = self.query_one("#res-table", DataTable)
        table.clear()
        for check in report.checks:
            for row in check_rows(check):
                table.add_row(*row)
        self.query_one("#res-failures", Static).update(Text("\n".join(failures)))
