"""Policy: the rules in force (roles, allowlist, limits, quorum) and the changes waiting for a
second admin, who approves or rejects them here. Proposing is `desk policy propose ...`."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Header, Static
from textual.worker import Worker

from desk.controls import Policy, proposals
from desk.controls.proposals import Proposal
from desk.register import RegisterError
from desk.tui.screens.approvals import operator_line, refusal, reject_with_reason
from desk.tui.screens.base import DeskScreen
from desk.tui.widgets.footer import DeskFooter


class PolicyScreen(DeskScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "approve", "Approve change", id="policy.approve"),
        Binding("x", "reject", "Reject change", id="policy.reject"),
        Binding("o", "switch_operator", "Switch operator", id="policy.switch_operator"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.waiting: list[Proposal] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="policy-operator")
        yield Static("", id="policy-rules")
        yield Static("[b]changes waiting for a second admin[/b] (propose with `desk policy propose`)")
        yield DataTable(id="policy-table", cursor_type="row")
        yield Static("", id="policy-message", classes="message")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("change", "proposed by", "at (UTC)", "what")
        self.watch(self.app, "data_version", lambda _version: self.reload(), init=False)
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "switch_operator":
            return len(self.desk_app.operators) > 1
        return True

    def reload(self) -> Worker[None]:
        """Read the policy and the changes waiting in a worker, then show them; a result
        arriving once the table is gone (the app closing) is dropped (desk.tui.screens.base)."""
        return self.read(self._read, self._show, into="#policy-table", group="policy")

    async def _read(self) -> tuple[str, Policy, list[Proposal]]:
        reg = self.register
        return await operator_line(reg), await reg.controls.policy(reg), await proposals.proposals(reg, "pending")

    def _show(self, read: tuple[str, Policy, list[Proposal]]) -> None:
        operator, policy, waiting = read
        self.query_one("#policy-operator", Static).update(operator)
        self.query_one("#policy-rules", Static).update("\n".join(policy.lines()))
        self.waiting = waiting
        table = self.query_one(DataTable)
        table.clear()
        for p in self.waiting:
            table.add_row(f"#{p.id}", p.proposed_by, f"{p.created_at:%Y-%m-%d %H:%M}", p.change.describe())

    def _selected(self) -> Proposal | None:
        row = self.query_one(DataTable).cursor_row
        return self.waiting[row] if 0 <= row < len(self.waiting) else None

    @work(exclusive=True, group="policy-act")
    async def action_approve(self) -> None:
        proposal = self._selected()
        if proposal is None:
            return
        try:
            change = await proposals.approve(self.register, proposal.id)
        except RegisterError as exc:
            refusal(self, exc)
            return
        self.query_one("#policy-message", Static).update(f"change #{proposal.id} in force: {change.describe()}")
        self.notify(f"policy change #{proposal.id} in force")
        self.reload()

    def action_reject(self) -> None:
        proposal = self._selected()
        if proposal is None:
            return
        reg = self.register
        reject_with_reason(
            self,
            f"policy change #{proposal.id}",
            lambda reason: proposals.reject(reg, proposal.id, reason),
            done_text=f"change #{proposal.id} rejected",
            group="policy-act",
        )

    def action_switch_operator(self) -> None:
        operator = self.desk_app.switch_operator()
        self.notify(f"now acting as {operator}")
        self.reload()
