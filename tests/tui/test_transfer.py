"""Transfer form and maker-checker, driven by keys only."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from desk.cli import main
from desk.tui.screens.approvals import ApprovalsScreen
from desk.tui.screens.transfer import TransferForm
from tests.tui.pilot import confirm, settle
from tests.waiting import until


async def fill(pilot, **values: str) -> None:
    for name in ("from", "to", "asset", "amount", "reference", "memo"):
        text = values.get(name, "")
        if text:
            await pilot.press(*text)
        await pilot.press("tab")


async def test_transfer_draft_approve_as_second_operator(make_app) -> None:
    app = make_app(operators=["aliya", "bolat"])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TransferForm)
        await fill(
            pilot,
            **{
                "from": "assets:wallet:ops",
                "to": "assets:reserve:cold",
                "asset": "BTC",
                "amount": "0.15",
                "memo": "to reserve",
            },
        )
        form = app.screen
        assert form.errors == []
        await pilot.press("ctrl+s")
        await settle(pilot)
        await until(lambda: not isinstance(app.screen, TransferForm), "the form to close")
        await pilot.press("p")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ApprovalsScreen)
        await until(lambda: len(screen.drafts) == 1, "the draft in approvals")
        # the maker may not approve
        await pilot.press("a")
        await confirm(pilot)
        await until(lambda: "refused" in str(screen.query_one("#approvals-message").render()), "the refusal")
        assert len(screen.drafts) == 1
        # switch to the second demo operator and approve
        await pilot.press("o")
        assert app.register.operator == "bolat"
        await pilot.press("a")
        await confirm(pilot)
        await until(lambda: screen.drafts == [], "the approved draft to leave the queue")
        bal = await app.register.balance("assets:reserve:cold", "BTC")
        assert str(bal.value) == "2.67000000"  # 2.5 opening + 0.02 seeded sweep + 0.15


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"from": "assets:wallet:nope"}, "unknown account"),
        ({"from": "assets:wallet:ops", "to": "assets:wallet:ops"}, "same account"),
        ({"from": "assets:wallet:ops", "asset": "BTC", "amount": "0.123456789"}, "decimal"),
        ({"from": "assets:wallet:ops", "asset": "BTC", "amount": "5"}, "insufficient balance"),
        ({"asset": "XYZ"}, "not in the register"),
        ({"asset": "btc"}, "asset codes are upper case: BTC"),
        ({"from": "assets:wallet:ops", "asset": "BTC", "amount": "1,000.5"}, "has a comma"),
        ({"from": "income:mining:f2main", "to": "assets:reserve:cold"}, "refused by rule income:mining:out"),
        ({"from": "assets:wallet:ops", "to": "income:mining:f2main"}, "refused by rule income:mining:in"),
        ({"from": "assets:pool:f2main", "to": "assets:wallet:ops"}, "refused by rule assets:pool:out"),
    ],
)
async def test_transfer_validation(make_app, values: dict[str, str], message: str) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        await settle(pilot)
        await fill(pilot, **values)
        form = app.screen
        # validated as typed; the balance is read by a worker: wait for the message, not a while
        await until(lambda: any(message in e for e in form.errors), f"{message!r} among {form.errors}")


@pytest.mark.parametrize(
    "values",
    [
        {"from": "assets:wallet:nope", "to": "assets:reserve:cold", "asset": "BTC", "amount": "0.1"},
        {"from": "assets:wallet:ops", "to": "assets:wallet:ops", "asset": "BTC", "amount": "0.1"},
        {"from": "assets:wallet:ops", "to": "assets:reserve:cold", "asset": "btc", "amount": "0.1"},
        {"from": "assets:wallet:ops", "to": "assets:reserve:cold", "asset": "BTC", "amount": "0.123456789"},
        {"from": "income:mining:f2main", "to": "assets:reserve:cold", "asset": "BTC", "amount": "0.1"},
    ],
    ids=["unknown account", "same account", "lower-case asset", "too many decimals", "account rule"],
)
async def test_the_form_and_desk_transfer_refuse_alike(
    make_app, tmp_path: Path, capsys: pytest.CaptureFixture[str], values: dict[str, str]
) -> None:
    """One check (desk.operations.transfer) behind both faces: what the form shows first is
    what `desk transfer` prints, the fields named as each face names them."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        await settle(pilot)
        await fill(pilot, **values)
        form = app.screen
        await until(lambda: form.errors, "the form's refusal")
        shown = form.errors[0]
    args = [f"--{name}={values[name]}" for name in ("from", "to", "asset", "amount")]
    code = await asyncio.to_thread(main, ["transfer", *args, "--config", str(tmp_path / "desk.toml")])
    printed = capsys.readouterr().err.strip()
    assert code == 4
    for name in ("from", "to", "asset", "amount"):
        shown = shown.replace(f"{name}:", f"--{name}:").replace(f"{name} and", f"--{name} and")
        shown = shown.replace(f"and {name} are", f"and --{name} are")
    assert printed == f"desk transfer: {shown}"
