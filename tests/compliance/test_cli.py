"""`desk seize`, `desk purchase`, `desk compliance` and `desk fee`, as a person runs them."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desk.cli import main
from desk.cli.exit_codes import ExitCode
from desk.register import Register
from tests.compliance.conftest import Book


@pytest.fixture
def desk(config_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("DESK_CONFIG", str(config_file))

    def run(*args: str, operator: str = "aliya") -> tuple[int, str, str]:
        monkeypatch.setenv("DESK_OPERATOR__NAME", operator)
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    assert run("init")[0] == ExitCode.OK
    return run


def test_seize_and_purchase_then_compliance_and_fee_as_json(desk) -> None:
    code, out, _ = desk(
        "seize",
        "--case",
        "case-99",
        "--case-ref",
        "2-99/2026",
        "--legal-basis",
        "court order",
        "--authority",
        "AFM",
        "--asset",
        "BTC",
        "--amount",
        "1.5",
        "--to",
        "assets:reserve:cold",
        "--at",
        "2026-11-03T10:00:00+00:00",
    )
    assert code == ExitCode.OK and "seizure of 1.50000000 BTC under case 2-99/2026" in out
    code, out, err = desk(
        "purchase",
        "--exchange",
        "aix",
        "--order-id",
        "ord-1",
        "--asset",
        "BTC",
        "--amount",
        "0.1",
        "--price",
        "97000",
        "--pay",
        "USDT",
    )
    # nothing on aix to pay with: the draft is taken, the approval refused for funds
    assert code == ExitCode.OK and "buy 0.10000000 BTC for 9,700.000000 USDT on aix" in out
    draft_id = out.split("#")[1].split(":")[0]
    code, _, err = desk("approve", draft_id, operator="bek")
    assert code == ExitCode.REFUSED and "insufficient balance in assets:exchange:aix" in err
    code, out, _ = desk("log", "-n", "5")
    assert "seizure" in out
    code, out, _ = desk("verify")
    assert code == ExitCode.OK

    code, out, _ = desk("compliance", "--period", "2026-11", "--json")
    data = json.loads(out)
    assert code == ExitCode.OK and data["period"] == "2026-11" and data["assets"] == []  # a seizure is not mined
    assert data["verify"] == "verify against the current law" and data["status"] == "ok"
    assert [(r["id"], r["required_share"]) for r in data["rules"]] == [("kz-2025", "0.75")]

    assert (
        desk("fee", "record", "--period", "2026-Q4", "--kwh", "1000", "--source", "own", "--source", "unmetered")[0]
        == ExitCode.OK
    )
    code, out, _ = desk("fee", "--period", "2026-Q4", "--json")
    fee = json.loads(out)
    assert code == ExitCode.OK
    assert (fee["fee_kzt"], fee["due"], fee["lines"][0]["rate_kzt_per_kwh"]) == ("25000.00", "2027-01-20", "25")
    assert fee["verify"] == "verify against the current law"
    code, out, _ = desk("fee", "--period", "2026-Q4")
    assert "25,000.00 KZT" in out and "verify against the current law" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("compliance", "--period", "2026-13"), "desk compliance: period '2026-13' is not a month"),
        (("fee", "--period", "2026"), "desk fee: period '2026': the fee is owed per quarter"),
        (("fee", "record", "--period", "2026-Q4", "--kwh", "5", "--source", "wind"), "no mining-fee rate for wind"),
        (
            (
                "seize",
                "--case",
                "c1",
                "--case-ref",
                "r",
                "--legal-basis",
                "b",
                "--authority",
                "a",
                "--asset",
                "BTC",
                "--amount",
                "1",
                "--to",
                "assets:wallet:ops",
            ),
            "--to: assets:wallet:ops is not a reserve account",
        ),
        (
            (
                "purchase",
                "--exchange",
                "nowhere",
                "--order-id",
                "1",
                "--asset",
                "BTC",
                "--amount",
                "1",
                "--price",
                "1",
                "--pay",
                "USDT",
            ),
            "--exchange: no account assets:exchange:nowhere",
        ),
        (
            (
                "purchase",
                "--exchange",
                "aix",
                "--order-id",
                "1",
                "--asset",
                "BTC",
                "--amount",
                "1",
                "--price",
                "-3",
                "--pay",
                "USDT",
            ),
            "--price: must be a positive number",
        ),
    ],
)
def test_bad_input_is_one_line_naming_it(desk, args: tuple[str, ...], message: str) -> None:
    code, _, err = desk(*args)
    assert code == ExitCode.REFUSED
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_past_period_short_of_its_share_exits_1(desk, settings) -> None:
    async def mine() -> None:
        async with Register.open(settings.register.path, operator="aliya") as register:
            await Book(register, settings).earn("1", datetime(2025, 1, 10, tzinfo=UTC))

    asyncio.run(mine())
    code, out, _ = desk("compliance", "--period", "2025-01", "--json")
    data = json.loads(out)
    assert code == ExitCode.FAILED and data["status"] == "red"
    assert (data["assets"][0]["mined"], data["assets"][0]["gap"]) == ("1.00000000", "-0.75000000")
    code, out, _ = desk("compliance", "--period", "2025-01")
    assert code == ExitCode.FAILED and "red" in out


def test_compliance_table_shows_the_mark(desk) -> None:
    code, out, _ = desk("compliance", "--period", "2026-Q4")
    assert code == ExitCode.OK and "nothing mined or sold in 2026-Q4" in out
    assert "verify against the current law" in out and "rule kz-2025" in out


def test_the_compliance_table_cuts_no_amount_at_120_columns(desk, settings, monkeypatch) -> None:
    """Twelve measures side by side cut every amount (`0.2807…`); one line per measure
    with the assets side by side shows each whole, in the one amount format."""
    monkeypatch.setenv("COLUMNS", "120")

    async def mine() -> None:
        async with Register.open(settings.register.path, operator="aliya") as register:
            await Book(register, settings).earn("0.28071234", datetime(2025, 1, 10, tzinfo=UTC))

    asyncio.run(mine())
    _code, out, _ = desk("compliance", "--period", "2025-01")
    assert "0.28071234 BTC" in out and "-0.21053426 BTC" in out
    assert "…" not in out


def test_desk_purchase_warns_of_a_price_far_from_the_market(desk, settings) -> None:
    """14 % above the market is drafted (a thin market can be real) with a warning naming the
    market price and the band; within the band, nothing is said."""
    from decimal import Decimal

    from desk.register import Quote

    at = datetime(2026, 11, 20, 12, tzinfo=UTC)

    async def quote() -> None:
        async with Register.open(settings.register.path, operator="aliya") as register:
            await register.record_quotes([Quote("BTC", "USDT", Decimal("97412.35"), "binance", at, at)])

    asyncio.run(quote())
    args = ["purchase", "--exchange", "aix", "--asset", "BTC", "--amount", "0.1", "--pay", "USDT"]
    args += ["--at", "2026-11-20T12:00:00+00:00"]
    code, out, err = desk(*args, "--order-id", "ord-far", "--price", "111050")
    assert code == ExitCode.OK and "draft #" in out
    assert "warning: price 111,050 is 14.0 % above the market (97,412.35 at binance BTC/USDT" in err
    code, _, err = desk(*args, "--order-id", "ord-near", "--price", "97500")
    assert code == ExitCode.OK and "warning" not in err
