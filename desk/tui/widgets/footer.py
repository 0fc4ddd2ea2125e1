"""The key line at the foot of every screen: Textual's Footer, rebuilt only when the keys it
shows changed.

Textual's Footer rebuilds itself (two dozen key widgets, each styled) whenever the screen says
its bindings *may* have changed: on mount, on every focus change, on every `check_action`
refresh. Bringing up the register screen asked for four rebuilds of identical keys, and they
were most of its first paint (bench/tui.py). This one compares what it would show with what it
shows and rebuilds only on a difference; what it shows is Textual's, unchanged.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer

#: what a footer may show: (key, description, action, shown, enabled, tooltip) per binding
Shown = tuple[tuple[str, str, str, bool, bool, str], ...]


class DeskFooter(Footer):
    def __init__(self, *, compact: bool = False) -> None:
        super().__init__(compact=compact)
        self._shown: Shown | None = None

    def _keys(self) -> Shown:
        return tuple(
            (binding.key, binding.description, binding.action, binding.show, enabled, tooltip)
            for (_node, binding, enabled, tooltip) in self.screen.active_bindings.values()
        )

    def bindings_changed(self, screen: Screen) -> None:  # type: ignore[type-arg]
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen or not screen.is_current:
            return  # a screen put away (its bindings "change" as it goes) is looked at again when back
        self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        if not self.is_attached:
            return
        keys = self._keys()
        if keys != self._shown:
            self._shown = keys
            await self.recompose()
