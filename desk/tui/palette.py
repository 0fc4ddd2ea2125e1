"""Command palette: every screen and action, searchable. A screen's own action is offered
only on the screen that has it (`screen.` actions run on the screen under the palette)."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider

COMMANDS = [
    ("Dashboard", "switch_screen('dashboard')", "prices, inflows, reserve, feeds, activity"),
    ("Register", "switch_screen('register')", "the whole book"),
    ("Approvals", "switch_screen('approvals')", "pending drafts, the rule that applies, approvals left"),
    ("Policy", "switch_screen('policy')", "roles, allowlist, limits, quorum; approve policy changes"),
    ("Feeds", "switch_screen('feeds')", "every feed's health and recent failures"),
    ("New transfer", "transfer", "draft a transfer for approval"),
    ("New seizure", "acquire('seizure')", "record coins seized under a court order (posted at once)"),
    ("New purchase", "acquire('purchase')", "draft a purchase on an exchange for approval"),
    ("Toggle currency", "toggle_currency", "report figures in KZT, USD or BTC"),
    ("Light / dark theme", "toggle_dark", "switch between the light and the dark theme"),
    ("Refresh dashboard", "screen.refresh_now", "read the register again now"),
    ("Chart time frame", "screen.next_frame", "1D, 7D, 30D, 1Y"),
    ("Search the register", "screen.search", "memo, reference, tx hash, acct:, kind:, from:, to:"),
    ("Clear the search", "screen.clear", "show the whole book again"),
    ("Verify the chain", "screen.verify", "recompute the register's hash chains"),
    ("Poll feed now", "screen.poll_now", "ask the sync to poll the selected feed"),
    ("Approve draft", "screen.approve", "approve the selected draft (as another operator)"),
    ("Reject draft", "screen.reject", "reject the selected draft with a reason"),
    ("Switch operator", "screen.switch_operator", "demo only: act as the other operator"),
    ("Valuation", "switch_screen('valuation')", "reserve value, composition, cost, unrealised, hashprice"),
    ("Reconciliation", "switch_screen('reconcile')", "pools vs register vs chain, open breaks first"),
    ("Reserves", "switch_screen('reserves')", "proof of reserves: chain vs register per address"),
    ("Resolve break", "screen.resolve", "resolve the selected open break with a note"),
    ("Reload", "screen.reload", "read the register, pools and chains again for this screen"),
    ("Hashprice units", "screen.hash_units", "USD/PH/day or sats/TH/day"),
    ("Monthly report", "report", "write this month's report (HTML with charts) into Documents/desk-reports"),
    ("Help", "help", "list the keys"),
    ("Quit", "quit", "leave desk"),
]


class DeskCommands(Provider):
    def _available(self) -> list[tuple[str, str, str]]:
        found = []
        for name, action, help_text in COMMANDS:
            scope, _dot, method = action.partition(".")
            if scope == "screen" and not hasattr(self.screen, f"action_{method}"):
                continue
            found.append((name, action, help_text))
        return found

    async def discover(self) -> Hits:
        for name, action, help_text in self._available():
            yield DiscoveryHit(name, self._runner(action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in self._available():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), self._runner(action), help=help_text)

    def _runner(self, action: str):
        screen = self.screen

        async def run() -> None:
            if action.startswith("screen."):
                await self.app.run_action(action.removeprefix("screen."), screen)
            elif action == "report":
                await write_month_report(self.app)
            else:
                await self.app.run_action(action)

        return run


async def write_month_report(app) -> None:  # type: ignore[no-untyped-def]
    """The current month's report where a person finds it (desk.operations.reports); a toast
    names the file, and stays until read."""
    from desk.operations.reports import write_month_report as write

    path = await write(app.register, app.settings, app.now())
    app.notify(f"monthly report written: {path}", title="Report", timeout=30)
