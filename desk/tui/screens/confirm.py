"""The second key of every act that moves money or decides on it: approving, rejecting,
posting a seizure, drafting a purchase. The first key only opens this modal, which shows the
whole of what is about to happen (desk.operations.describe: postings, worth with the prices
behind it, the rules, who drafted it and when); `y` does it, `esc` or `n` leaves it undone.
A single stray letter therefore never posts anything."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from desk.operations.describe import Description


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True once `y` is pressed, False when left with `esc` or `n`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Yes, do it", id="confirm.yes"),
        Binding("escape,n", "cancel", "No", id="confirm.no"),
    ]

    def __init__(self, description: Description | list[str], act: str, *, warnings: list[str] | None = None) -> None:
        """`description`: the whole act (desk.operations.describe), or its lines (a policy change)."""
        super().__init__()
        self.lines = description if isinstance(description, list) else description.lines()
        #: what `y` does, as a verb phrase ("approve draft #3")
        self.act = act
        #: what to look at twice (a purchase's price far from the market), above the keys
        self.warnings = warnings or []

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-body", classes="confirm-body"):
            with VerticalScroll(id="confirm-scroll"):
                yield Static(Text("\n".join(self.lines)), id="confirm-detail")
            if self.warnings:
                yield Static(Text("\n".join(f"⚠ {w}" for w in self.warnings)), id="confirm-warning")
            yield Label(f"[b]y[/b] {self.act}   ·   [b]esc[/b] / [b]n[/b] leave it", id="confirm-keys")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class ReasonScreen(ModalScreen[str | None]):
    """Rejecting: the whole draft above, the reason below; enter with a reason rejects, an
    empty reason is refused with a message (never silently ignored), esc leaves it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="reason.cancel")]
    #: the reason is typed at once; the detail above scrolls with the mouse or after a tab
    AUTO_FOCUS = "#reject-reason"

    def __init__(self, what: str, description: Description | None = None) -> None:
        super().__init__()
        self.what = what
        self.description = description

    def compose(self) -> ComposeResult:
        with Vertical(id="reject-body", classes="confirm-body"):
            if self.description is not None:
                with VerticalScroll(id="confirm-scroll"):
                    yield Static(Text("\n".join(self.description.lines())), id="confirm-detail")
            yield Label(f"Reject {self.what}: the reason (enter rejects, esc leaves it)")
            yield Input(id="reject-reason")
            yield Static("", id="reject-error")

    @on(Input.Submitted)
    def _done(self, event: Input.Submitted) -> None:
        reason = event.value.strip()
        if not reason:
            self.query_one("#reject-error", Static).update("✗ reason: a rejection needs a reason; type one")
            self.app.bell()
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)
