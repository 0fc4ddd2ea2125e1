"""Entry detail: postings, drafter/approver, the kind's own fields (a seizure's case, a
purchase's order), hash and previous hash."""

from __future__ import annotations

from typing import ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from desk.register.entries import Entry
from desk.register.text import shown
from desk.tui.screens.base import DeskModal
from desk.tui.screens.figures import Figures

#: How each kind's `details` keys read on screen, in this order; other keys follow as they are.
DETAIL_LABELS = {
    "case_reference": "case reference",
    "legal_basis": "legal basis",
    "authority": "seizing authority",
    "exchange": "exchange",
    "order_id": "order id",
}


def detail_lines(entry: Entry) -> list[str]:
    """The entry's own fields (seizure: case, basis, authority; purchase: exchange, order,
    price), escaped: they are typed by operators and may hold markup characters."""
    details = dict(entry.details or {})
    if not details:
        return []
    keys = [k for k in DETAIL_LABELS if k in details] + sorted(k for k in details if k not in DETAIL_LABELS)
    lines = [f"  {DETAIL_LABELS.get(k, k.replace('_', ' ')):<18} {escape(shown(str(details[k])))}" for k in keys]
    if entry.kind == "purchase" and entry.price is not None:
        paid = next((p.amount.asset.code for p in entry.postings if p.amount.units < 0), "")
        bought = next((p.amount.asset.code for p in entry.postings if p.amount.units > 0), "unit")
        lines.append(f"  {'price':<18} {entry.price} {paid} per {bought}")
    return ["", f"[b]{entry.kind}[/b]", *lines]


class EntryDetail(DeskModal[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "dismiss", "Close", id="detail.close")]

    def __init__(self, seq: int) -> None:
        super().__init__()
        self.seq = seq

    def compose(self) -> ComposeResult:
        yield Static(f"entry #{self.seq} …", id="detail-body")

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        """Read in a worker; the text is shown as a message to the body, dropped by Textual
        when the detail was closed meanwhile (desk.tui.screens.base)."""
        body = self.query_one("#detail-body", Static)
        self.read(self._fetch, body.update, into=body, group="detail")

    async def _fetch(self) -> str:
        reg = self.register
        e = await reg.entry(self.seq)
        moved = [p.amount for p in e.postings if p.amount.units > 0]
        figures = await Figures.load(reg, self.desk_app.settings, e.ts, {a.asset.code for a in moved})
        worth = figures.total(moved, self.desk_app.currency)
        worth_text = f"{worth.text} ({figures.provenance(worth)})" if worth.value is not None else f"n/a: {worth.why}"
        lines = [
            f"[b]entry #{e.seq}[/b]  {e.kind}  {e.ts:%Y-%m-%d %H:%M:%S} UTC",
            f"memo: {escape(shown(e.memo))}",
            f"reference: {escape(shown(e.reference or '-'))}   source: {escape(e.source or '-')}   "
            f"status: {e.status or '-'}",
            f"drafted by: {e.drafted_by or '-'}   approved by: {e.approved_by or '-'}",
            "",
            "[b]postings[/b]",
            *(f"  {p.account:<40} {p.amount!s:>24}" for p in e.postings),
            f"  worth then: {worth_text}{'  stale' if worth.stale and worth.value is not None else ''}",
            *detail_lines(e),
            "",
            f"hash:      {e.hash}",
            f"prev hash: {e.prev_hash}",
        ]
        return "\n".join(lines)
