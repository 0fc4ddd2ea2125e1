"""The key line at the foot of every screen: Textual's Footer, rebuilt only when the keys it
shows changed.

Textual's Footer rebuilds itself (two dozen key widgets, each styled) whenever the screen says
its bindings *may* have changed: on mount, on every focus change, on every `check_action`
refresh. Bringing up the register screen asked for four rebuilds of identical keys, and they
were most of its first paint (bench/tui.py). This one compares what it would show with what it
shows and rebuilds only on a difference; what it shows is Textual's, unchanged, but for keys
that would not fit: Textual lays the keys out in a row that runs on under the palette key
docked at the right, so a screen with keys of its own showed "t Transfe" running into
"^p palette" at 120 columns and the keys past it not at all. The app's screen keys are put
away then, in `PUT_AWAY_FIRST` order, and then the screen's own from the last, until the row
fits; `?` (help, which lists them all) and `q` stay.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from textual import events
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: what a footer may show: (key, description, action, shown, enabled, tooltip) per binding
Shown = tuple[tuple[str, str, str, bool, bool, str], ...]
#: the app's keys a narrow footer puts away, first to last (the palette and `?` list them all)
PUT_AWAY_FIRST = ("R", "b", "V", "f", "p", "d", "r", "t")
#: the actions a footer always shows: help (which lists every key) and quit
KEPT = ("app.help", "app.quit", "help", "quit")
_SWITCH = re.compile(r"switch_screen\('(\w+)'\)")


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
            self.fit()

    def on_resize(self, _event: events.Resize) -> None:
        self.fit()

    def fit(self) -> None:
        """Show every key, then put away the app's screen keys until the row ends before the
        palette key (a key is its text, " " between key and description, one column between
        keys): first the key of the screen the footer is on (it goes nowhere), then in
        `PUT_AWAY_FIRST` order, then the screen's own keys from the last; `?` and `q` stay.
        A key is never shown without its description."""
        keys = [k for k in self.query(FooterKey) if not k.has_class("-command-palette")]
        palette = [k for k in self.query(FooterKey) if k.has_class("-command-palette")]
        room = self.size.width - sum(cell_len(f"{k.key_display} {k.description}") + 1 for k in palette)
        for key in keys:
            key.display = True
        shown = {key.key: key for key in keys}
        width = sum(cell_len(f"{k.key_display} {k.description}") + 1 for k in keys)
        order = [k for k in keys if self._leads_here(k)] + [shown[n] for n in PUT_AWAY_FIRST if n in shown]
        # then the screen's own keys, last first: `?` lists every one of them
        order += [k for k in reversed(keys) if k not in order and k.action not in KEPT]
        for key in order:
            if width <= room:
                return
            if key.display:
                key.display = False
                width -= cell_len(f"{key.key_display} {key.description}") + 1

    def _leads_here(self, key: FooterKey) -> bool:
        """Whether `key` switches to the screen this footer is on."""
        match = _SWITCH.fullmatch(key.action)
        if match is None:
            return False
        try:
            return self.app.get_screen(match.group(1)) is self.screen
        except KeyError:
            return False
