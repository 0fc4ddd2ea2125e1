"""`desk value --json` through the real command line, on a real register file."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
from decimal import Decimal

from tests.conftest import REPO
from tests.valuation.conftest import FRI, post
from tests.valuation.test_reserve import UNPRICED_BNB, fund  # noqa: F401  (fixture)


async def desk(config, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "desk",
        "--config",
        str(config),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    out, err = await process.communicate()
    return process.returncode, out.decode(), err.decode()


async def test_value_json_through_the_cli(register, fund, config_file) -> None:  # noqa: F811
    code, out, err = await desk(config_file, "value", "--at", FRI.isoformat(), "--days", "3", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["total"] == {"usd": "224000.00000000", "kzt": "112000000.00000000", "usdt_priced": "0"}
    assert Decimal(data["cost_basis"]["usd"]) == 172_001 and Decimal(data["unrealised"]["kzt"]) == 25_999_500
    (btc,) = data["assets"]
    assert btc["usd"]["source"] == "kraken BTC/USD" and btc["usd"]["age_seconds"] == 60
    assert btc["kzt"]["kzt_rate"] == "500" and btc["kzt"]["kzt_rate_date"] == "2026-11-02"
    # no [[addresses]] in this config: custody is the account's name
    assert [(s["label"], s["percent"]) for s in data["by_custody"]] == [("cold", "37.50"), ("custody", "62.50")]
    assert [(s["label"], s["percent"]) for s in data["by_source"]] == [("mined", "37.50"), ("seized", "62.50")]
    assert [d["day"] for d in data["series"]] == ["2026-11-04", "2026-11-05", "2026-11-06"]
    assert data["flags"] == []


async def test_a_missing_price_exits_1_and_is_flagged(register, fund, config_file) -> None:  # noqa: F811
    await post(register, UNPRICED_BNB)
    code, out, _ = await desk(config_file, "value", "--at", "2026-11-06", "--json")
    assert code == 1
    flags = json.loads(out)["flags"]
    assert {f["kind"] for f in flags} >= {"missing", "unvalued inflows"}
    code, out, _ = await desk(config_file, "value", "--at", "2026-11-06")
    assert code == 1 and "MISSING" in out and "no price for BNB in USD" in out


async def test_bad_date_is_one_clear_line(config_file) -> None:
    code, _, err = await desk(config_file, "value", "--at", "6/11/2026")
    assert code == 2 and "'6/11/2026' is not a date" in err


async def test_value_check_proves_the_kept_lots_and_names_a_tampered_one(register, fund, config_file) -> None:  # noqa: F811
    code, out, err = await desk(config_file, "value", "--check")
    assert (code, out) == (0, "OK the FIFO lots kept equal a replay of all 5 entries from scratch\n"), err
    conn = sqlite3.connect(register.path)
    conn.execute("UPDATE lots SET units = units - 1 WHERE id = (SELECT MAX(id) FROM lots WHERE taken_seq IS NULL)")
    conn.commit()
    conn.close()
    code, out, _ = await desk(config_file, "value", "--check")
    assert code == 1 and out.startswith("FAILED lots of BTC in assets:reserve:")
