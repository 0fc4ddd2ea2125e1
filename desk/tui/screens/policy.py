"""Policy: the rules in force (roles, allowlist, limits, quorum) and the changes waiting for a
second admin, who approves or rejects them here; `n` proposes one, typed in the words of
`desk policy propose` (desk.operations.policy_change)."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Input, Label, Static
from textual.worker import Worker

from desk.controls import Policy, controls_of, proposals
from desk.controls.proposals import Proposal
from desk.operations.policy_change import EXAMPLES, propose_change
from desk.register import RegisterError
from desk.tui.screens.approvals import operator_line, refusal, reject_with_reason
from desk.tui.screens.base import DeskModal, DeskScreen
from desk.tui.screens.confirm import ConfirmScreen
from desk.tui.widgets.footer import DeskFooter


class PolicyScreen(DeskScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "approve", "Approve change", id="policy.approve"),
        Binding("x", "reject", "Reject change", id="policy.reject"),
        Binding("n", "propose", "Propose change", id="policy.propose"),
        Binding("o", "switch_operator", "Switch operator", id="policy.switch_operator"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.waiting: list[Proposal] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="policy-operator")
        yield Static("", id="policy-rules")
        yield Static("[b]changes waiting for a second admin[/b] (n proposes one)")
        yield DataTable(id="policy-table", cursor_type="row")
        yield Static("", id="policy-message", classes="message")
        yield DeskFooter(compact=True)

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
        return await operator_line(reg), await controls_of(reg).policy(reg), await proposals.proposals(reg, "pending")

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
        """`a` shows the change beside the policy in force; only `y` there puts it in force."""
        proposal = self._selected()
        if proposal is None:
            return
        reg = self.register
        policy = await controls_of(reg).policy(reg)
        lines = [
            f"policy change #{proposal.id}: {proposal.change.describe()}",
            f"proposed by {proposal.proposed_by} at {proposal.created_at:%Y-%m-%d %H:%M:%S} UTC",
            "",
            "in force now:",
            *policy.lines(),
        ]

        def answered(yes: bool | None) -> None:
            if yes:
                self.approve(proposal)
            else:
                self.query_one("#policy-message", Static).update(f"change #{proposal.id} left as it was")

        self.app.push_screen(ConfirmScreen(lines, f"put change #{proposal.id} in force"), answered)

    @work(exclusive=True, group="policy-act")
    async def approve(self, proposal: Proposal) -> None:
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

    def action_propose(self) -> None:
        def proposed(done: str | None) -> None:
            if done:
                self.query_one("#policy-message", Static).update(done)
                self.notify(done, title="Proposed")
                self.reload()

        self.app.push_screen(ProposeDialog(), proposed)

    def action_switch_operator(self) -> None:
        operator = self.desk_app.switch_operator()
        self.notify(f"now acting as {operator}")
        self.reload()


class ProposeDialog(DeskModal[str | None]):
    """One line, the change as `desk policy propose` takes it; enter proposes it, a refusal
    (a wrong field, the admin role missing) shows here and the dialog stays."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="propose.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="propose-body", classes="confirm-body"):
            yield Label("[b]Propose a policy change[/b] (enter proposes it for a second admin, esc leaves)")
            yield Static("\n".join(f"  e.g. {example}" for example in EXAMPLES), id="propose-examples")
            yield Input(id="propose-change")
            yield Static("", id="propose-error")

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        self.propose(event.value)

    @work(exclusive=True)
    async def propose(self, text: str) -> None:
        line = self.query_one("#propose-error", Static)
        try:
            proposal_id, change = await propose_change(self.register, text)
        except RegisterError as exc:
            self.deliver(line, line.update, f"✗ {exc}")  # dropped if the dialog closed meanwhile
            self.app.bell()
            return
        self.dismiss(f"change #{proposal_id} proposed: {change.describe()}; a different admin approves it")

    def action_cancel(self) -> None:
        self.dismiss(None)
