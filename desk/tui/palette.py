"""Command palette: every screen and action, searchable."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider

COMMANDS = [
    ("Dashboard", "switch_screen('dashboard')", "prices, inflows, balances, activity"),
    ("Register", "switch_screen('register')", "the whole book"),
    ("Approvals", "switch_screen('approvals')", "pending drafts, the rule that applies, approvals left"),
    ("Policy", "switch_screen('policy')", "roles, allowlist, limits, quorum; approve policy changes"),
    ("New transfer", "transfer", "draft a transfer for approval"),
    ("Help", "help", "list the keys"),
    ("Quit", "quit", "leave desk"),
]


class DeskCommands(Provider):
    async def discover(self) -> Hits:
        for name, action, help_text in COMMANDS:
            yield DiscoveryHit(name, self._runner(action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in COMMANDS:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), self._runner(action), help=help_text)

    def _runner(self, action: str):
        async def run() -> None:
            await self.app.run_action(action)

        return run
