"""The controls are the register's guard, and every command that acts brings them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from desk.cli import main
from desk.controls import Controls
from desk.register import Guard, NewRefusal, Register
from tests.controls.conftest import ROLES, T0, write_config


def test_controls_is_a_guard_and_the_default_once_loaded(tmp_path: Path) -> None:
    guard: Guard = Controls()  # the protocol the register asks (a type checker holds this)
    assert all(callable(getattr(guard, act)) for act in ("authorize", "check_draft", "check_approval"))


async def test_a_register_opened_without_controls_is_judged_by_its_logged_policy(tmp_path: Path) -> None:
    settings = write_config(tmp_path, "")
    async with Register.open(settings.register.path, operator="aliya", create=True) as reg:
        assert isinstance(reg.controls, Controls)


@pytest.mark.parametrize(("operator", "code"), [("audit", 4), ("bolat", 0)])
def test_acknowledging_a_refused_row_needs_the_configured_checker_role(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, operator: str, code: int
) -> None:
    """`desk feeds acknowledge` once opened the register without the configured controls, so
    an auditor could acknowledge (only roles approved in the register applied)."""
    import asyncio

    settings = write_config(tmp_path, ROLES)
    monkeypatch.setenv("DESK_CONFIG", str(tmp_path / "desk.toml"))

    async def refuse_a_row() -> None:
        async with Register.open(settings.register.path, operator="sync", create=True) as reg:
            await reg.init_accounts(settings)
            day = date(T0.year, T0.month, T0.day)
            await reg.record_refusals("pool:f2main", [NewRefusal("row-1", "payout", day, "row 1", "bad")], day, day)

    asyncio.run(refuse_a_row())
    monkeypatch.setenv("DESK_OPERATOR__NAME", operator)
    assert main(["feeds", "acknowledge", "1", "--note", "the pool will not fix it"]) == code
