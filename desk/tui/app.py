"""The desk application: opens the register once, hosts the screens."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.reactive import var

from desk.config import DeskSettings
from desk.controls import Controls
from desk.operations.sync_process import SyncCommand
from desk.operations.sync_relay import relay_from_environment
from desk.register import Register
from desk.tui.chart_process import ChartProcess
from desk.tui.feed_states import FeedState, configured_feeds
from desk.tui.heap import FULL_COLLECTION_EVERY_S, collect_garbage, freeze_startup_heap, thaw_heap
from desk.tui.live import Live
from desk.tui.palette import DeskCommands


class DeskApp(App[None]):
    CSS_PATH = "desk.tcss"
    TITLE = "desk"
    COMMANDS = App.COMMANDS | {DeskCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        # The footer shows the screen's own keys, then help and the screens, in short words so
        # they fit 120 columns; the rarer actions (currency, named in the header, policy, theme,
        # seizure, purchase) are in `?` and the palette, which list every binding, shown or not.
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("d", "switch_screen('dashboard')", "Dash", tooltip="Dashboard", id="app.dashboard"),
        Binding("r", "switch_screen('register')", "Register", id="app.register"),
        Binding("p", "switch_screen('approvals')", "Approvals", id="app.approvals"),
        Binding("V", "switch_screen('valuation')", "Value", tooltip="Valuation", id="app.valuation"),
        Binding("b", "switch_screen('reconcile')", "Breaks", tooltip="Reconciliation breaks", id="app.reconcile"),
        Binding("R", "switch_screen('reserves')", "Proof", tooltip="Proof of reserves", id="app.reserves"),
        Binding("f", "switch_screen('feeds')", "Feeds", id="app.feeds"),
        Binding("t", "transfer", "Transfer", id="app.transfer"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("c", "toggle_currency", "Currency", show=False, id="app.currency"),
        Binding("P", "switch_screen('policy')", "Policy", show=False, id="app.policy"),
        Binding("S", "acquire('seizure')", "Seizure", show=False, id="app.seizure"),
        Binding("B", "acquire('purchase')", "Purchase", show=False, id="app.purchase"),
        Binding("ctrl+t", "toggle_dark", "Light/dark", show=False, id="app.theme"),
        Binding("ctrl+c", "quit", "Quit", show=False, id="app.quit_ctrl_c"),
        Binding("j", "move('down')", "Down", show=False, id="app.down"),
        Binding("k", "move('up')", "Up", show=False, id="app.up"),
    ]

    # The app's state is held in `var`s, not `reactive`s: a reactive on the app repaints the
    # whole screen each time it changes (App.refresh), and during a sync `data_version`,
    # `feeds` and `sync_status` change several times a second. The screens watch these and
    # redraw only the widgets that show them.
    #: bumped whenever the register changed, whoever wrote it (see desk.tui.live)
    data_version: var[int] = var(0, init=False)
    #: every feed's health as the sync reports it
    feeds: var[tuple[FeedState, ...]] = var((), init=False, always_update=False)
    #: one line on the sync itself: running, backfilling, stopped and why, none configured
    sync_status: var[str] = var("", init=False)
    #: the currency figures are reported in (`c` cycles through REPORTING); see desk.tui.screens.figures
    currency: var[str] = var("KZT")

    def __init__(
        self,
        settings: Any,
        register_path: Path,
        *,
        engine: Any = None,
        now: Callable[[], datetime] | None = None,
        operators: list[str] | None = None,
        sync: SyncCommand | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.register_path = Path(register_path)
        self.engine = engine
        self.now = now or (lambda: datetime.now(UTC))
        self._clock = now
        default_op = getattr(getattr(settings, "operator", None), "name", None) or "operator"
        self.operators = operators or [default_op]
        self.register: Register | None = None
        self._stack = AsyncExitStack()
        #: where the charts are built, off the UI's loop (started at the first chart)
        self.chart_process = ChartProcess()
        self.feeds = configured_feeds(settings)
        #: the live link: register changes, the sync child (`sync`; None: this desk runs no sync)
        self.live = Live(self, sync, relay=relay_from_environment())

    async def on_load(self) -> None:
        self.register = await self._stack.enter_async_context(
            Register.open(
                _location(self.settings, self.register_path),
                operator=self.operators[0],
                clock=self._clock,
                controls=_controls(self.settings),
            )
        )
        await self.live.start()

    def on_mount(self) -> None:
        from desk.tui.screens.approvals import ApprovalsScreen
        from desk.tui.screens.dashboard import DashboardScreen
        from desk.tui.screens.register import RegisterScreen

        self.install_screen(DashboardScreen(), "dashboard")
        self.install_screen(RegisterScreen(), "register")
        self.install_screen(ApprovalsScreen(), "approvals")
        from desk.tui.screens.policy import PolicyScreen

        self.install_screen(PolicyScreen(), "policy")
        from desk.tui.screens.feeds import FeedsScreen

        self.install_screen(FeedsScreen(), "feeds")
        from desk.tui.screens.reconcile import ReconcileScreen
        from desk.tui.screens.reserves import ReservesScreen
        from desk.tui.screens.valuation import ValuationScreen

        self.install_screen(ValuationScreen(), "valuation")
        self.install_screen(ReconcileScreen(), "reconcile")
        self.install_screen(ReservesScreen(), "reserves")
        self.push_screen("dashboard")
        self.call_after_refresh(freeze_startup_heap)  # no full-GC stalls of frames (desk.tui.heap)
        self.set_interval(FULL_COLLECTION_EVERY_S, lambda: self.call_after_refresh(collect_garbage))

    async def action_switch_screen(self, screen: str) -> None:
        """Textual's, but a screen shown for the first time that reads before it is built
        (`prepare`, as the register screen does) is switched to once that read is done, in a
        worker; if another screen was chosen meanwhile, that one stays."""
        target = self.get_screen(screen)
        prepare = getattr(target, "prepare", None)
        if prepare is None or target.is_mounted:
            self.switch_screen(screen)
            return
        shown = self.screen

        async def prepared() -> None:
            await prepare()
            if self.screen is shown:
                self.switch_screen(screen)

        self.run_worker(prepared, group="switch-screen", exclusive=True)

    def poll_feed(self, name: str) -> str:
        """Ask the sync to poll feed `name` now (its answer arrives in `feeds`); what was done."""
        return self.live.poll(name)

    def switch_operator(self) -> str:
        """Act as the next of `operators` (two only in the demo); returns who acts now."""
        assert self.register is not None
        current = self.register.operator
        ops = self.operators
        self.register.act_as(ops[(ops.index(current) + 1) % len(ops)] if current in ops else ops[0])
        return self.register.operator

    def action_help(self) -> None:
        from desk.tui.screens.help import HelpScreen

        rows: dict[bool, list[tuple[str, str]]] = {True: [], False: []}
        for b in self.screen.active_bindings.values():  # the screen's own (and its widgets') first
            rows[b.node is self].append(
                (b.binding.key_display or b.binding.key, b.binding.tooltip or b.binding.description or b.binding.action)
            )
        where = type(self.screen).__name__.removesuffix("Screen").removesuffix("Form")
        self.push_screen(HelpScreen(rows[True], rows[False], where.lower()))

    def action_toggle_currency(self) -> None:
        from desk.tui.screens.figures import REPORTING

        self.currency = REPORTING[(REPORTING.index(self.currency) + 1) % len(REPORTING)]

    def watch_currency(self, currency: str) -> None:
        self.sub_title = f"figures in {currency} (c changes)"

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def action_move(self, direction: str) -> None:
        """`j`/`k`: the arrows of whatever list or table has the focus."""
        action = getattr(self.focused, f"action_cursor_{direction}", None) or getattr(
            self.focused, f"action_scroll_{direction}", None
        )
        if action is not None:
            action()

    def alert(self, message: str, *, title: str = "Alert") -> None:
        """Something needs the operator: the terminal bell and a toast."""
        self.bell()
        self.notify(message, title=title, severity="warning", timeout=8)

    def action_transfer(self) -> None:
        from desk.tui.screens.transfer import TransferForm

        self.push_screen(TransferForm())

    def action_acquire(self, kind: str) -> None:
        """`S` records a seizure (posted), `B` drafts a purchase (for approval)."""
        from desk.tui.screens.acquisition import AcquisitionForm

        self.push_screen(AcquisitionForm(kind), self._acquisition_recorded)

    def _acquisition_recorded(self, done: str | None) -> None:
        if done is not None:
            self.notify(done, title="Recorded", timeout=6)

    async def on_unmount(self) -> None:
        await self.live.stop()  # the sync child finishes its write before the register closes
        await self._stack.aclose()
        await self.chart_process.close()
        thaw_heap()


def _controls(settings: Any) -> Controls | None:
    """The configured roles and policy; a bare settings stand-in gets the register's own."""
    return Controls.from_settings(settings) if isinstance(settings, DeskSettings) else None


def _location(settings: Any, register_path: Path) -> Any:
    """The register the screen opens: the configured server when the settings name one
    (several desks on one PostgreSQL: `register.url`, its password from the secrets), else
    the file at `register_path`."""
    place = getattr(settings, "register", None)
    if place is not None and not getattr(place, "is_sqlite", True):
        return place
    return register_path


def create_app(
    settings: Any,
    register_path: Path,
    *,
    engine: Any = None,
    now: Callable[[], datetime] | None = None,
    operators: list[str] | None = None,
    sync: SyncCommand | None = None,
) -> DeskApp:
    return DeskApp(settings, register_path, engine=engine, now=now, operators=operators, sync=sync)
