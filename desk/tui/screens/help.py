"""Help: the keys of the screen underneath first (its own and its focused widget's, under the
screen's name), then the keys that work everywhere, in two columns so it fits 80x24. Keys
doing the same thing share a line; Textual's stock scrolling, cursor and focus keys are
summed up in one line instead of a dozen."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

#: Textual's own movement bindings, summed up by MOVING.
STOCK = {
    "Scroll Up", "Scroll Down", "Scroll Left", "Scroll Right", "Scroll Home", "Scroll End", "Page Up",
    "Page Down", "Page Left", "Page Right", "Focus Next", "Focus Previous", "Copy selected text",
    "PgUp", "PgDn", "Cursor up", "Cursor down", "Cursor left", "Cursor right", "Home", "End", "Page up",
    "Page down", "Top", "Bottom",
}  # fmt: skip
MOVING = "↑↓ or j k move · PgUp PgDn page · Home End · tab next field · ctrl+p palette · esc closes"
KEY_NAMES = {"question_mark": "?", "slash": "/", "escape": "esc", "enter": "⏎", "pageup": "PgUp", "pagedown": "PgDn"}


def key_name(key: str) -> str:
    if key in KEY_NAMES:
        return KEY_NAMES[key]
    return key.replace("ctrl+", "^") if key.startswith("ctrl+") else key


def merged(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One line per action: its keys together, Textual's stock movement keys left out."""
    keys: dict[str, list[str]] = {}
    for key, text in rows:
        if text in STOCK or key.startswith("super+"):
            continue
        names = keys.setdefault(text, [])
        for one in key.split(","):
            name = key_name(one.strip())
            if name not in names:
                names.append(name)
    return [(" ".join(names), text) for text, names in keys.items()]


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, rows: list[tuple[str, str]], own: list[tuple[str, str]] | None = None, where: str = "") -> None:
        """`rows`: the keys that work everywhere; `own`: the keys of the screen `where`."""
        super().__init__()
        self.own = merged(own or [])
        self.rows = self.own + [row for row in merged(rows) if row not in self.own]
        self.everywhere = self.rows[len(self.own) :]
        self.where = where

    def compose(self) -> ComposeResult:
        with Vertical(id="help-body"):
            if self.own:
                yield Static(f"[b]keys of {self.where or 'this screen'}[/b]", id="help-title")
                yield from _columns(self.own)
                yield Static("[b]keys everywhere[/b]", classes="help-heading")
            else:
                yield Static("[b]keys[/b]", id="help-title")
            yield from _columns(self.everywhere)
            yield Static(MOVING, id="help-moving")


def _columns(rows: list[tuple[str, str]]) -> ComposeResult:
    """`rows` in two columns, the first holding the extra one."""
    half = (len(rows) + 1) // 2
    with Horizontal(classes="help-columns"):
        for column in (rows[:half], rows[half:]):
            yield Static("\n".join(f"{key:>9}  {text}" for key, text in column), classes="help-column")
