"""Approvals: pending drafts with the rules that apply and the approvals each still needs;
approve or reject as a different operator (maker-checker, quorum, roles)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static
from textual.worker import Worker

from desk.controls import Tally, controls_of, describe_tally
from desk.operations.acquisition import legs_text
from desk.operations.describe import Description, describe_draft
from desk.register import Draft, NotPermitted, PolicyRefused, Register, RegisterError, SelfApproval
from desk.register.text import shown
from desk.tui.screens.base import DeskScreen
from desk.tui.screens.confirm import ConfirmScreen, ReasonScreen
from desk.tui.widgets.footer import DeskFooter

if TYPE_CHECKING:
    from desk.tui.screens.policy import PolicyScreen


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
    describe: Callable[[], Awaitable[Description]] | None = None,
) -> None:
    """Ask for the reason to reject `what` (below its full description, when `describe`
    gives one), then `reject(reason)`: a refusal is shown by `refusal`, success as
    `done_text: reason` on the message line, and the screen reloads. The one flow behind
    rejecting a draft and a policy change."""

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
        else:
            screen.query_one(".message", Static).update(f"{what} left as it was")

    async def ask() -> None:
        description = await describe() if describe is not None else None
        screen.app.push_screen(ReasonScreen(what, description), answered)

    screen.run_worker(ask(), exclusive=True, group=group)


async def operator_line(reg: Register) -> str:
    """Who acts now and with which roles (`o` switches in the demo)."""
    policy = await controls_of(reg).policy(reg)
    roles = ", ".join(sorted(policy.roles_of(reg.operator)))
    note = "  [dim](no roles configured: everyone may act)[/dim]" if policy.open else ""
    return f"operator: [b]{reg.operator}[/b] ({roles}){note}"


class ApprovalsScreen(DeskScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "approve", "Approve", id="approvals.approve"),
        Binding("x", "reject", "Reject", id="approvals.reject"),
        Binding("o", "switch_operator", "Operator", id="approvals.switch_operator"),
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
        yield Static("[b]recent decisions[/b]", id="approvals-history-title")
        yield DataTable(id="approvals-history", cursor_type="none", zebra_stripes=True)
        yield DeskFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#approvals-table", DataTable)
        table.add_columns("draft", "by", "amount", "to", "approvals", "rules", "from", "memo")
        self.query_one("#approvals-history", DataTable).add_columns(
            "draft", "decision", "by", "at (UTC)", "amount", "drafted by", "reason"
        )
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

    async def _read(self) -> tuple[str, list[Draft], dict[int, Tally], list[Draft]]:
        reg = self.register
        operator = await operator_line(reg)
        drafts = await reg.drafts("pending")
        tallies = {d.id: await controls_of(reg).tally(reg, d) for d in drafts}
        return operator, drafts, tallies, await decisions(reg)

    def _show(self, read: tuple[str, list[Draft], dict[int, Tally], list[Draft]]) -> None:
        operator, drafts, tallies, decided = read
        self._show_history(decided)
        self.query_one("#approvals-operator", Static).update(operator)
        self.drafts, self.tallies = drafts, tallies
        table = self.query_one("#approvals-table", DataTable)
        row = table.cursor_row
        table.clear()
        for d in self.drafts:
            src = next((p for p in d.entry.postings if p.amount.units < 0), None)
            dst = next((p for p in d.entry.postings if p.amount.units > 0), None)
            tally = self.tallies[d.id]
            table.add_row(
                str(d.id),
                d.drafted_by,
                legs_text(d.entry),  # a purchase shows what it pays as well as what it buys
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

    def _show_history(self, decided: list[Draft]) -> None:
        """The latest decisions, newest first: who approved or rejected what, when, and why."""
        history = self.query_one("#approvals-history", DataTable)
        history.clear()
        for d in decided:
            dst = next((p for p in d.entry.postings if p.amount.units > 0), None)
            history.add_row(
                str(d.id),
                d.state + (f" → #{d.entry_seq}" if d.entry_seq is not None else ""),
                d.decided_by or "",
                f"{d.decided_at:%Y-%m-%d %H:%M}" if d.decided_at else "",
                str(dst.amount) if dst else "",
                d.drafted_by,
                Text(shown(d.reason or "")),
            )

    def _selected(self) -> Draft | None:
        table = self.query_one("#approvals-table", DataTable)
        if not self.drafts or table.cursor_row >= len(self.drafts) or table.cursor_row < 0:
            return None
        draft = self.drafts[table.cursor_row]
        return draft if draft.id in self.tallies else None

    def _message(self, text: str) -> None:
        self.query_one("#approvals-message", Static).update(text)

    @work(exclusive=True, group="approvals-act")
    async def action_approve(self) -> None:
        """`a` shows the whole draft (desk.operations.describe); only `y` there approves. The
        modal is pushed, not awaited: no worker waits on a person."""
        draft = self._selected()
        if draft is None:
            return
        reg = self.register
        description = await describe_draft(reg, draft, self.desk_app.now(), self.desk_app.settings)

        def answered(yes: bool | None) -> None:
            if yes:
                self.approve(draft)
            else:
                self._message(f"draft #{draft.id} left as it was")

        self.app.push_screen(ConfirmScreen(description, f"approve draft #{draft.id}"), answered)

    @work(exclusive=True, group="approvals-act")
    async def approve(self, draft: Draft) -> None:
        reg = self.register
        try:
            seq = await reg.approve(draft.id)
            tally = await controls_of(reg).tally(reg, await reg.draft_by_id(draft.id)) if seq is None else None
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
        """`x` shows the whole draft and asks the reason; enter with one rejects."""
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
            describe=lambda: describe_draft(reg, draft, self.desk_app.now(), self.desk_app.settings),
        )

    def action_switch_operator(self) -> None:
        operator = self.desk_app.switch_operator()
        self.notify(f"now acting as {operator}")
        self.reload()


#: how many past decisions the approvals screen lists
HISTORY = 8


async def decisions(reg: Register) -> list[Draft]:
    """The latest approved and rejected drafts, newest decision first."""
    decided = [*await reg.drafts("approved", limit=HISTORY), *await reg.drafts("rejected", limit=HISTORY)]
    decided.sort(key=lambda d: (d.decided_at is not None, d.decided_at, d.id), reverse=True)
    return decided[:HISTORY]
