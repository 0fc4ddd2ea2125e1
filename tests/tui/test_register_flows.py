"""Register search, copy and export, and `?` on a screen, driven by keys on a real seeded
register (issue 17, "Flow"). Each failed on the code before (checked against main's desk/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from desk.tui.screens.detail import EntryDetail
from desk.tui.screens.help import HelpScreen
from desk.tui.screens.register import RegisterScreen
from desk.tui.widgets.register_view import RegisterView
from tests.tui.pilot import notifications, settle
from tests.waiting import until


async def _search(pilot, text: str) -> None:
    await pilot.press("slash")
    pilot.app.screen.query_one("#search").value = ""
    await pilot.press(*text, "enter")
    await settle(pilot)


def _status(app) -> str:
    return str(app.screen.query_one("#register-status").render())


async def test_the_hash_the_detail_shows_finds_its_entry(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await settle(pilot)
        view = app.screen.query_one(RegisterView)
        target = view.rows[5]
        await _search(pilot, target.hash)
        assert isinstance(app.screen, EntryDetail) and app.screen.seq == target.seq
        await pilot.press("escape")
        await settle(pilot)
        assert f"is entry #{target.seq}" in _status(app)


async def test_acct_takes_the_last_segment_and_bad_words_say_what_is_valid(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await settle(pilot)
        view = app.screen.query_one(RegisterView)
        await _search(pilot, "acct:ops")
        assert view.filters.account == "assets:wallet:ops"
        assert view.rows and all(any(p.account == "assets:wallet:ops" for p in e.postings) for e in view.rows)
        await _search(pilot, "kind:bogus")
        assert "kind:bogus is not a kind; one of: " in _status(app) and "payout" in _status(app)
        await _search(pilot, "from:2026-13-01")
        status = app.screen.query_one("#register-status")
        assert "✗ from:2026-13-01: the date must be YYYY-MM-DD — still showing: acct:assets:wallet:ops" in _status(app)
        assert status.has_class("-error")
        await pilot.press("escape")
        await settle(pilot)
        assert not status.has_class("-error")


async def test_y_copies_the_reference_and_e_exports_the_view(
    make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(tmp_path / "docs"))
    app = make_app()
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    said = notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await settle(pilot)
        await _search(pilot, "kind:payout")
        view = app.screen.query_one(RegisterView)
        first = view.rows[0]
        await pilot.press("y")
        assert copied == [first.reference or first.hash]
        await pilot.press("e")
        await until(lambda: any("exported to" in m for m in said), "the export's notice")
        (path,) = (tmp_path / "docs" / "desk-reports").glob("desk-register-*.csv")
        lines = path.read_text().splitlines()
        assert lines[0].startswith("seq,ts,kind,account")
        assert len(lines) > 1 and all(",payout," in line for line in lines[1:])
        assert any(f"{len(view.rows)} entries (kind:payout) exported to {path}" in m for m in said)


async def test_help_lists_the_screen_keys_beside_the_global_ones(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, RegisterScreen)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        own = {text for _key, text in app.screen.own}
        assert {"Search", "Verify", "Detail"} <= own  # the register's own, under its name
        assert {"Dashboard", "Transfer"} <= {text for _key, text in app.screen.everywhere}  # then the global ones
        assert str(app.screen.query_one("#help-title").render()) == "keys of register"


async def test_o_reads_the_book_oldest_first_across_pages_and_back(
    make_app, seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sort (issue 17, "Missing"): the seeded book of 63 entries in pages of 10, oldest first
    through every page boundary, then newest first again."""
    import desk.tui.widgets.register_view as register_view
    from desk.register import Register

    monkeypatch.setattr(register_view, "PAGE", 10)
    _settings, path = seeded
    async with Register.open(path, operator="test") as reg:
        book = [e.seq async for e in reg.walk()]  # oldest first: the order the screen must show
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await settle(pilot)
        view = app.screen.query_one(RegisterView)
        assert view.row(0).seq == book[-1] and "newest first" in _status(app)
        await pilot.press("o")
        await settle(pilot)
        assert "oldest first" in _status(app)
        seen = []
        for index in range(len(book)):
            view.cursor = index
            await until(lambda i=index: view.row(i) is not None, f"row {index} read")
            seen.append(view.row(index).seq)
        assert seen == book
        await pilot.press("o")
        await settle(pilot)
        assert view.row(0).seq == book[-1] and "newest first" in _status(app)


async def test_y_copies_the_row_under_the_cursor_far_down_a_long_book(
    make_app, seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The view keeps only the pages near the viewport: the cursor's entry is found by its
    place in the book, not among the rows held (which copied another entry's reference)."""
    import desk.tui.widgets.register_view as register_view
    from desk.register import Register

    monkeypatch.setattr(register_view, "PAGE", 5)
    monkeypatch.setattr(register_view, "KEPT_PAGES", 10)  # the viewport's 7 pages and a few
    _settings, path = seeded
    async with Register.open(path, operator="test") as reg:
        newest_first = [e async for e in reg.walk(newest_first=True)]
    app = make_app()
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await settle(pilot)
        view = app.screen.query_one(RegisterView)
        for _ in range(20):  # the view reads ahead as the cursor reaches the last row read
            if view.cursor >= 60:
                break
            await pilot.press("pagedown")
            await until(lambda: view.row(view.cursor) is not None, "the cursor's row read")
            await settle(pilot)
        target = newest_first[view.cursor]
        assert view.cursor >= 60 and 0 in view.pages and 1 not in view.pages  # let go of, as at 1M
        await pilot.press("y")
        assert copied == [target.reference or target.hash]
