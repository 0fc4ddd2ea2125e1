"""Approvals: pending drafts; approve or reject as a different operator (maker-checker)."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from desk.register import Draft, RegisterError, SelfApproval


class RejectDialog(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="reject.cancel")]

    def __init__(self, draft_id: int) -> None:
        super().__init__()
        self.draft_id = draft_id

    def compose(self) -> ComposeResult:
        with Vertical(id="reject-body"):
            yield Label(f"Reject draft #{self.draft_id}: reason (enter to confirm)")
            yield Input(id="reject-reason")

    @on(Input.Submitted)
    def _done(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())
        else:
            self.app.bell()

    def action_cancel(self) -> None:
        self.dismiss(None)


class ApprovalsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "approve", "Approve", id="approvals.approve"),
        Binding("x", "reject", "Reject", id="approvals.reject"),
        Binding("o", "switch_operator", "Switch operator", id="approvals.switch_operator"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.drafts: list[Draft] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="approvals-operator")
        yield DataTable(id="approvals-table", cursor_type="row")
        yield Static("", id="approvals-message")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("draft", "drafted by", "from", "to", "amount", "memo")
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "switch_operator":
            return len(self.app.operators) > 1  # type: ignore[attr-defined]
        return True

    def _show_operator(self) -> None:
        op = self.app.register.operator  # type: ignore[attr-defined]
        self.query_one("#approvals-operator", Static).update(f"operator: [b]{op}[/b]")

    @work(exclusive=True, group="approvals")
    async def reload(self) -> None:
        self._show_operator()
        self.drafts = await self.app.register.drafts("pending")  # type: ignore[attr-defined]
        table = self.query_one(DataTable)
        table.clear()
        for d in self.drafts:
            src = next((p for p in d.entry.postings if p.amount.units < 0), None)
            dst = next((p for p in d.entry.postings if p.amount.units > 0), None)
            table.add_row(
                str(d.id),
                d.drafted_by,
                src.account if src else "",
                dst.account if dst else "",
                str(dst.amount) if dst else "",
                d.entry.memo,
                key=str(d.id),
            )

    def _selected(self) -> Draft | None:
        table = self.query_one(DataTable)
        if not self.drafts or table.cursor_row >= len(self.drafts):
            return None
        return self.drafts[table.cursor_row]

    def _message(self, text: str) -> None:
        self.query_one("#approvals-message", Static).update(text)

    @work(exclusive=True, group="approvals-act")
    async def action_approve(self) -> None:
        draft = self._selected()
        if draft is None:
            return
        try:
            seq = await self.app.register.approve(draft.id)  # type: ignore[attr-defined]
        except SelfApproval as exc:
            self._message(f"[b]refused:[/b] {exc}")
            self.app.bell()
            self.notify(str(exc), title="Self-approval refused", severity="error")
            return
        except RegisterError as exc:
            self._message(f"[b]refused:[/b] {exc}")
            self.app.bell()
            return
        self._message(f"draft #{draft.id} approved as entry #{seq}")
        self.notify(f"draft #{draft.id} posted as entry #{seq}")
        self.reload()

    def action_reject(self) -> None:
        draft = self._selected()
        if draft is None:
            return

        def done(reason: str | None) -> None:
            if reason:
                self._reject(draft.id, reason)

        self.app.push_screen(RejectDialog(draft.id), done)

    @work(exclusive=True, group="approvals-act")
    async def _reject(self, draft_id: int, reason: str) -> None:
        try:
            await self.app.register.reject(draft_id, reason)  # type: ignore[attr-defined]
        except RegisterError as exc:
            self._message(f"[b]refused:[/b] {exc}")
            return
        self._message(f"draft #{draft_id} rejected: {reason}")
        self.reload()

    def action_switch_operator(self) -> None:
        operator = self.app.switch_operator()  # type: ignore[attr-defined]
        self._show_operator()
        self.notify(f"now acting as {operator}")
