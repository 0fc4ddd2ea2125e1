"""The register view holds a bounded number of rows however far it is scrolled."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from desk.money import BTC, Amount
from desk.register import NewEntry, Posting, Register
from desk.tui.app import create_app
from desk.tui.widgets.register_view import KEPT_PAGES, PAGE, RegisterView
from tests.tui.pilot import settle
from tests.tui.seed import NOW, T0, write_settings

#: more rows than the view may hold: it has to let pages go and read them again
BOOK = KEPT_PAGES * PAGE + 5 * PAGE + 17


async def _book(tmp_path: Path) -> tuple[object, Path]:
    settings = write_settings(tmp_path)
    path = Path(settings.register.path)
    async with Register.open(path, operator="aliya", create=True) as reg:
        await reg.init_accounts(settings)
        await reg.ingest(
            NewEntry(
                kind="earning",
                ts=T0 + timedelta(seconds=20 * i),
                postings=(
                    Posting("income:mining:ocean", -Amount(BTC, "0.0001")),
                    Posting("assets:pool:ocean", Amount(BTC, "0.0001")),
                ),
                memo=f"earning {i}",
                source="pool:ocean",
                external_id=f"e{i}",
            )
            for i in range(BOOK)
        )
    return settings, path


def _memo_at(view: RegisterView, index: int) -> str | None:
    entry = view.row(index)
    return None if entry is None else entry.memo


async def test_the_register_view_holds_a_bounded_number_of_rows_and_reads_let_go_pages_again(
    tmp_path: Path,
) -> None:
    """Scrolled from the newest entry to the oldest and back, the view never holds more than
    KEPT_PAGES pages (it held every row it had passed: a million for a book scrolled
    through), and the rows it let go are read again, in place, when the cursor comes back."""
    settings, path = await _book(tmp_path)
    app = create_app(settings, path, now=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await settle(pilot)
        view = app.screen.query_one(RegisterView)
        held = [len(view.rows)]
        while view.cursor < BOOK - 1:
            await pilot.press(*["pagedown"] * 15)
            await settle(pilot)
            held.append(len(view.rows))
        assert max(held) <= KEPT_PAGES * PAGE, held
        assert _memo_at(view, BOOK - 1) == "earning 0"  # the oldest, last
        assert view.total == BOOK
        while view.cursor > PAGE + 5:
            await pilot.press(*["pageup"] * 15)
            await settle(pilot)
            held.append(len(view.rows))
        assert max(held) <= KEPT_PAGES * PAGE, held
        index = view.cursor
        assert _memo_at(view, index) == f"earning {BOOK - 1 - index}"  # read again, in its place
        await pilot.press("enter")
        await settle(pilot)
        assert f"earning {BOOK - 1 - index}" in str(app.screen.query_one("#detail-body").render())
