"""Updating a panel's text with a layout pass only when its height can change.

Textual's `Static.update` lays out the whole screen by default, since new text may need more
rows or fewer; on the dashboard during a busy sync that pass (tens of milliseconds) is what
made the longest frames. Text whose every line fits the widget's width takes exactly one row
per line, so when the old and the new text both fit and have as many lines, the height is the
same and the repaint alone will do. Anything else (a line that wraps, a widget not laid out
yet) gets the layout pass, as before."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static


def rows_if_unwrapped(text: str, width: int) -> int | None:
    """How many rows `text` takes in `width` columns if no line wraps; None if one would."""
    lines = text.split("\n")
    return len(lines) if all(cell_len(line) <= width for line in lines) else None


def update_text(widget: Static, old: str | Text, new: str | Text) -> None:
    """Show `new` in place of `old` (plain or styled text), with a layout pass only if the
    height may change."""
    width = widget.content_region.width
    before = rows_if_unwrapped(_plain(old), width) if width > 0 else None
    same_height = before is not None and before == rows_if_unwrapped(_plain(new), width)
    widget.update(new, layout=not same_height)


def _plain(text: str | Text) -> str:
    return text.plain if isinstance(text, Text) else text
