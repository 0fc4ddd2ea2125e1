"""The approvals and policy screens under roles and a quorum, driven by keys on a real register."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from textual.worker import WorkerState

from desk.config import load_settings
from desk.controls import Controls, proposals
from desk.money import BTC, Amount
from desk.register import NewEntry, Posting, Register
from desk.tui.app import create_app
from desk.tui.screens.approvals import ApprovalsScreen
from desk.tui.screens.confirm import ConfirmScreen
from desk.tui.screens.policy import PolicyScreen
from tests.tui.pilot import confirm, palette, settle
from tests.tui.seed import NOW, seed, write_settings
from tests.waiting import until

CONTROLS = """
[roles]
aliya = ["maker"]
bolat = ["checker"]
dana = ["checker", "admin"]
carl = ["admin"]
[policy.allowlist]
BTC = ["assets:reserve:cold"]
[[policy.quorums]]
asset = "BTC"
at_least = "0.05"
approvals = 2
"""


def sweep(amount: str, memo: str) -> NewEntry:
    return NewEntry(
        kind="transfer",
        ts=NOW - timedelta(hours=1),
        postings=(
            Posting("assets:wallet:ops", -Amount(BTC, amount)),
            Posting("assets:reserve:cold", Amount(BTC, amount)),
        ),
        memo=memo,
    )


@pytest.fixture
async def controlled(tmp_path: Path):
    """A seeded register under roles and a quorum, with a big and a small draft by aliya and
    a policy change proposed by dana."""
    write_settings(tmp_path)
    config = tmp_path / "desk.toml"
    config.write_text(config.read_text() + CONTROLS)
    settings = load_settings(config, env={})
    path = await seed(settings)
    controls = Controls.from_settings(settings)
    async with Register.open(path, operator="aliya", clock=lambda: NOW, controls=controls) as maker:
        await maker.draft(sweep("0.1", "monthly sweep"))
        await maker.draft(sweep("0.01", "top-up"))
    async with Register.open(path, operator="dana", clock=lambda: NOW, controls=controls) as dana:
        await proposals.propose(dana, {"op": "limit_set", "per": "day", "currency": "KZT", "below": "500000000"})

    def make(*operators: str):
        return create_app(settings, path, now=lambda: NOW, operators=list(operators))

    return make


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_quorum_counts_distinct_checkers_on_screen(controlled) -> None:
    app = controlled("bolat", "dana", "aliya")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ApprovalsScreen)
        screen = app.screen
        assert [d.entry.memo for d in screen.drafts] == ["top-up", "monthly sweep"]
        await pilot.press("down")
        await settle(pilot)
        assert "rules: allowlist:BTC, quorum:BTC:0.05 · approvals 0 of 2, 2 to go" in _text(app, "#approvals-rule")
        await pilot.press("a")
        await confirm(pilot)
        assert "approval 1 of 2 recorded; 1 more from a different checker" in _text(app, "#approvals-message")
        assert "approvals 1 of 2 (bolat), 1 to go" in _text(app, "#approvals-rule")
        await pilot.press("a")
        await confirm(pilot)
        assert "refused by rule quorum:BTC:0.05: bolat has already approved" in _text(app, "#approvals-message")
        await pilot.press("o")  # dana
        await settle(pilot)
        assert "operator: dana (admin, checker)" in _text(app, "#approvals-operator")
        await pilot.press("down", "a")
        await confirm(pilot)
        assert "approved as entry #" in _text(app, "#approvals-message")
        assert [d.entry.memo for d in screen.drafts] == ["top-up"]


async def test_refusals_name_the_role_or_the_maker(controlled) -> None:
    app = controlled("carl", "aliya")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("a")
        await confirm(pilot)
        assert "carl may not approve: that needs the checker role" in _text(app, "#approvals-message")
        await pilot.press("o")  # aliya, the maker
        await settle(pilot)
        await pilot.press("a")
        await confirm(pilot)
        assert "a different operator must approve it" in _text(app, "#approvals-message")
        assert len(app.screen.drafts) == 2


async def test_policy_screen_shows_the_rules_and_a_second_admin_approves_a_change(controlled) -> None:
    app = controlled("dana", "carl")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("P")
        await settle(pilot)
        assert isinstance(app.screen, PolicyScreen)
        rules = _text(app, "#policy-rules")
        assert "BTC: assets:reserve:cold" in rules and "quorum:BTC:0.05: 2 distinct checkers from 0.05 BTC" in rules
        assert [p.change.describe() for p in app.screen.waiting] == ["limit KZT per UTC day below 500,000,000"]
        await pilot.press("a")  # dana proposed it
        await confirm(pilot)
        assert "a different admin must approve it" in _text(app, "#policy-message")
        await pilot.press("o", "a")  # carl
        await until(lambda: isinstance(app.screen, ConfirmScreen), "the confirm step")
        detail = str(app.screen.query_one("#confirm-detail").render())
        assert "policy change #1: limit KZT per UTC day below 500,000,000" in detail and "proposed by dana" in detail
        await pilot.press("escape")
        await settle(pilot)
        assert "change #1 left as it was" in _text(app, "#policy-message")
        await pilot.press("a")
        await confirm(pilot)
        assert "change #1 in force" in _text(app, "#policy-message")
        assert "limit:day:KZT: below 500,000,000 KZT per UTC day" in _text(app, "#policy-rules")
        assert app.screen.waiting == []
        assert (await app.register.verify()).ok


async def test_the_palette_opens_the_policy_screen(controlled) -> None:
    app = controlled("dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await palette(pilot, "Policy")
        assert isinstance(app.screen, PolicyScreen)


async def test_the_transfer_form_shows_a_refusal_at_entry_with_the_rule(controlled) -> None:
    from desk.tui.screens.transfer import TransferForm

    app = controlled("aliya")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        await settle(pilot)
        await pilot.press(*"assets:wallet:ops", "tab", *"assets:exchange:aix", "tab", *"BTC", "tab", *"0.01")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TransferForm)
        errors = _text(app, "#transfer-errors")
        assert "refused by rule allowlist:BTC: assets:exchange:aix is not an allowed BTC destination" in errors


async def test_a_checker_rejects_a_draft_and_an_admin_a_policy_change_with_a_reason(controlled) -> None:
    app = controlled("bolat", "carl")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("enter")  # an empty reason is not taken: the dialog stays
        await pilot.press(*"does not match the sweep plan", "enter")
        await settle(pilot)
        assert "draft #3 rejected: does not match the sweep plan" in _text(app, "#approvals-message")
        assert [d.entry.memo for d in app.screen.drafts] == ["monthly sweep"]
        assert (await app.register.draft_by_id(3)).state == "rejected"
        await pilot.press("P", "o")  # carl, an admin other than the proposer
        await settle(pilot)
        await pilot.press("x", *"too loose", "enter")
        await settle(pilot)
        assert "change #1 rejected: too loose" in _text(app, "#policy-message")
        assert app.screen.waiting == []
        assert (await app.register.verify()).ok


@pytest.mark.parametrize(
    ("key", "screen_type", "read"), [("p", ApprovalsScreen, "drafts"), ("P", PolicyScreen, "policy")]
)
async def test_a_reload_finishing_after_the_screen_lost_its_widgets_is_dropped(
    controlled, monkeypatch: pytest.MonkeyPatch, key: str, screen_type: type, read: str
) -> None:
    """When the app closes, Textual removes a screen's widgets before it cancels the screen's
    workers; a reload (started by a register change noticed late) whose reads finish in
    between failed on the missing table ("No nodes match 'DataTable'") and ended the app with
    an error. The reload's read is held until the widgets are gone, as the closing app does."""
    app = controlled("bolat", "carl")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press(key)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, screen_type)
        reading, release = asyncio.Event(), asyncio.Event()
        target = app.register if read == "drafts" else app.register.controls
        real = getattr(target, read)

        async def held(*args, **kwargs):
            reading.set()
            await release.wait()
            return await real(*args, **kwargs)

        monkeypatch.setattr(target, read, held)
        worker = screen.reload()
        await until(reading.is_set, "the reload to be reading")
        await screen.remove_children()
        release.set()
        await worker.wait()  # raised WorkerFailed(NoMatches) before the fix
        assert worker.state == WorkerState.SUCCESS
