"""Approvals: pending drafts with the rules that apply and the approvals each still needs;
approve or reject as a different operator (maker-checker, quorum, roles)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Header, Input, Label, Static
from textual.worker import Worker

from desk.controls import Tally, describe_tally
from desk.register import Draft, NotPermitted, PolicyRefused, Register, RegisterError, SelfApproval
from desk.register.text import shown
from desk.tui.screens.base import DeskScreen
from desk.tui.widgets.footer import DeskFooter

if TYPE_CHECKING:
    from desk.tui.screens.policy import PolicyScreen


class RejectDialog(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="reject.cancel")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="reject-body"):
            yield Label(f"Reject {self.title_text}: reason (enter to confirm)")
            yield Input(id="reject-reason")

    @on(Input.Submitted)
    def _done(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())
        else:
            self.app.bell()

    def action_cancel(self) -> None:
        self.dismiss(None)


def refusal(screen: Screen, exc: RegisterError) -> None:
    """Show a refused act where the operator looks: the message line, a toast naming the rule
    or the role, and the bell."""
    if isinstance(exc, PolicyRefused):
        title = f"Refused by rule {exc.rule}"
    elif isinstance(exc, NotPermitted):
        title = f"Not permitted: needs the {exc.role} role"
    elif isinstance(exc, SelfApproval):
        title = "Self-approval refused"
    else:
        title = "Refused"
    screen.query_one(".message", Static).update(f"[b]refused:[/b] {exc}")
    screen.app.bell()
    screen.notify(str(exc), title=title, severity="error")


def reject_with_reason(
    screen: ApprovalsScreen | PolicyScreen,
    what: str,
    reject: Callable[[str], Awaitable[object]],
    *,
    done_text: str,
    group: str,
) -> None:
    """Ask for the reason to reject `what`, then `reject(reason)` in a worker: a refusal is
    shown by `refusal`, success as `done_text: reason` on the message line, and the screen
    reloads. The one flow behind rejecting a draft and a policy change."""

    async def run(reason: str) -> None:
        try:
            await reject(reason)
        except RegisterError as exc:
            refusal(screen, exc)
            return
        screen.query_one(".message", Static).update(f"{done_text}: {reason}")
        screen.reload()

    def answered(reason: str | None) -> None:
        if reason:
            screen.run_worker(run(reason), exclusive=True, group=group)

    screen.app.push_screen(RejectDialog(what), answered)


async def operator_line(reg: Register) -> str:
    """Who acts now and with which roles (`o` switches in the demo)."""
    policy = await reg.controls.policy(reg)
    roles = ", ".join(sorted(policy.roles_of(reg.operator)))
    note = "  [dim](no roles configured: everyone may act)[/dim]" if policy.open else ""
    return f"operator: [b]{reg.operator}[/b] ({roles}){note}"


class ApprovalsScreen(DeskScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "approve", "Approve", id="approvals.approve"),
        Binding("x", "reject", "Reject", id="approvals.reject"),
        Binding("o", "switch_operator", "Switch operator", id="approvals.switch_operator"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.drafts: list[Draft] = []
        self.tallies: dict[int, Tally] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="approvals-operator")
        yield DataTable(id="approvals-table", cursor_type="row")
        yield Static("", id="approvals-rule")
        yield Static("", id="approvals-message", classes="message")
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("draft", "by", "amount", "to", "approvals", "rules", "from", "memo")
        self.watch(self.app, "data_version", lambda _version: self.reload(), init=False)
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "switch_operator":
            return len(self.desk_app.operators) > 1
        return True

    def reload(self) -> Worker[None]:
        """Read the pending drafts and their tallies in a worker, then show them; a result
        arriving once the table is gone (the app closing) is dropped (desk.tui.screens.base)."""
        return self.read(self._read, self._show, into="#approvals-table", group="approvals")

    async def _read(self) -> tuple[str, list[Draft], dict[int, Tally]]:
        reg = self.register
        operator = await operator_line(reg)
        drafts = await reg.drafts("pending")
        return operator, drafts, {d.id: await reg.controls.tally(reg, d) for d in drafts}

    def _show(self, read: tuple[str, list[Draft], dict[int, Tally]]) -> None:
        operator, drafts, tallies = read
        self.query_one("#approvals-operator", Static).update(operator)
        self.drafts, self.tallies = drafts, tallies
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for d in self.drafts:
            src = next((p for p in d.entry.postings if p.amount.units < 0), None)
            dst = next((p for p in d.entry.postings if p.amount.units > 0), None)
            tally = self.tallies[d.id]
            table.add_row(
                str(d.id),
                d.drafted_by,
                str(dst.amount) if dst else "",
                # an on-chain transfer is drafted into transit; it names where it settles
                (d.entry.details or {}).get("to") or (dst.account if dst else ""),
                f"{len(tally.approvers)}/{tally.required}",
                ", ".join(tally.rules) or "maker-checker",
                src.account if src else "",
                Text(shown(d.entry.memo)),  # as typed, never read as markup
                key=str(d.id),
            )
        if self.drafts:
            table.move_cursor(row=min(row, len(self.drafts) - 1))
        self._show_rule()

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_rule()

    def _show_rule(self) -> None:
        draft = self._selected()
        text = f"draft #{draft.id}: {describe_tally(self.tallies[draft.id])}" if draft else "no drafts waiting"
        self.query_one("#approvals-rule", Static).update(text)

    def _selected(self) -> Draft | None:
        table = self.query_one(DataTable)
        if not self.drafts or table.cursor_row >= len(self.drafts) or table.cursor_row < 0:
            return None
        draft = self.drafts[table.cursor_row]
        return draft if draft.id in self.tallies else None

    def _message(self, text: str) -> None:
        self.query_one("#approvals-message", Static).update(text)

    @work(exclusive=True, group="approvals-act")
    async def action_approve(self) -> None:
        draft = self._selected()
        if draft is None:
            return
        reg = self.register
        try:
            seq = await reg.approve(draft.id)
            tally = await reg.controls.tally(reg, await reg.draft_by_id(draft.id)) if seq is None else None
        except RegisterError as exc:
            refusal(self, exc)
            return
        if tally is not None:
            text = (
                f"draft #{draft.id}: approval {len(tally.approvers)} of {tally.required} recorded; "
                f"{tally.remaining} more from a different checker"
            )
            self._message(text)
            self.notify(text, title="Approval recorded")
        else:
            self._message(f"draft #{draft.id} approved as entry #{seq}")
            self.notify(f"draft #{draft.id} posted as entry #{seq}")
        self.reload()

    def action_reject(self) -> None:
        draft = self._selected()
        if draft is None:
            return
        reg = self.register
        reject_with_reason(
            self,
            f"draft #{draft.id}",
            lambda reason: reg.reject(draft.id, reason),
            done_text=f"draft #{draft.id} rejected",
            group="approvals-act",
        )

    def action_switch_operator(self) -> None:
        operator = self.desk_app.switch_operator()
        self.notify(f"now acting as {operator}")
        self.reload()
