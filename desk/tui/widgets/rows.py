"""A panel of one-line rows kept by key: a refresh updates the rows in place (no remount,
no flicker) and sets each row's classes, so state shows through the stylesheet."""

from __future__ import annotations

import re

from rich.text import Text
from textual.containers import Vertical
from textual.widgets import Static

from desk.tui.widgets.fit import update_text

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


class KeyedRows(Vertical):
    def show(self, rows: list[tuple[str, str | Text, str]]) -> None:
        """Show `(key, text, classes)` rows in order; rows whose key is gone are removed."""
        wanted = {f"row-{_UNSAFE.sub('_', key)}": (text, classes) for key, text, classes in rows}
        for child in list(self.children):
            if child.id not in wanted:
                child.remove()
        existing = {child.id: child for child in self.children}
        previous: Static | None = None
        for row_id, (text, classes) in wanted.items():
            row = existing.get(row_id)
            if isinstance(row, Static):
                # a row that keeps its height is repainted, not laid out (desk.tui.widgets.fit)
                update_text(row, text)
                row.set_classes(f"row {classes}".strip())
            else:
                row = Static(text, id=row_id, classes=f"row {classes}".strip())
                if previous is None:
                    self.mount(row, before=0) if self.children else self.mount(row)
                else:
                    self.mount(row, after=previous)
            previous = row
