"""Every screen's key line fits 120 and 80 columns: the keys it shows, side by side, plus the palette
key docked at its right, are no wider than the screen. Textual lays the keys out in a row
that runs on under the docked palette key, so a line too long showed "t Transfe" running into
"^p palette" on the approvals screen, and the keys past it not at all."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from tests.tui.pilot import settle

SCREENS = ["d", "r", "p", "P", "f", "V", "b", "R"]


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
@pytest.mark.parametrize("key", SCREENS)
async def test_the_footer_is_not_cut(make_app, key: str, size: tuple[int, int]) -> None:
    """At 80 columns the screen's own keys are put away too, from the last (`?` lists them):
    the register's `o` showed without its word before."""
    app = make_app(operators=["aliya", "bolat"])  # the approvals screen's `o` shown too
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        keys = list(app.screen.query(FooterKey))
        assert keys, f"no footer on {app.screen.id}"
        palette = next(k for k in keys if k.has_class("-command-palette"))
        shown = [k for k in keys if k.display and k is not palette]
        line = " | ".join(f"{k.key_display} {k.description}" for k in shown)
        assert max(k.region.right for k in shown) <= palette.region.x, f"{type(app.screen).__name__}: cut: {line}"
        assert {"?", "q"} <= {k.key_display for k in shown}, line  # help (which lists every key) and quit stay
        await pilot.press("q")


async def test_register_rows_cut_at_80_columns_end_in_an_ellipsis(make_app) -> None:
    from desk.tui.widgets.register_view import RegisterView, row_text

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await settle(pilot)
        view = app.screen.query_one(RegisterView)
        width = view.size.width
        lines = ["".join(s.text for s in view.render_line(y)) for y in range(1, view.size.height)]
        long = [(i, line) for i, line in enumerate(lines) if len(row_text(view.row(view.scroll_offset.y + i))) > width]
        assert long, "the seeded register has rows wider than 80 columns"
        assert all(len(line) == width and line.endswith("…") for _, line in long), long
        await pilot.press("q")
