"""`desk reserves`, `desk transparency` and `desk hashprice` as an operator runs them: a
child process against the simulator on loopback."""

from __future__ import annotations

import json
import re
import stat

from desk.sim.esplora import SIM_RESERVE_BNB, SIM_RESERVE_SOL
from tests.builders import run_desk as run


async def test_reserves_clean_exits_0_and_json_is_exact(sim, config, settings) -> None:
    code, out, err = await run(config, "reserves", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["ok"] and not report["failures"]
    bnb = next(c for c in report["checks"] if c["asset"] == "BNB")
    assert (
        bnb["register"] == bnb["on_chain"] == "8000.000000000000000000" and bnb["difference"] == "0.000000000000000000"
    )
    kzte = next(c for c in report["checks"] if c["asset"] == "KZTE")
    assert kzte["on_chain"] == "250000.00"
    code, out, _ = await run(config, "reserves")
    assert code == 0 and "OK: the register equals the chain" in out


async def test_a_difference_exits_1_naming_the_address(sim, config, settings) -> None:
    sim.chain.set_balance("bsc", SIM_RESERVE_BNB, 7999 * 10**18)
    code, out, err = await run(config, "reserves")
    assert code == 1
    assert SIM_RESERVE_BNB in err and "-1.000000000000000000" in err
    assert "FAILED" in out


async def test_a_chain_down_exits_1_and_the_others_are_reported(sim, config, settings) -> None:
    sim.faults.set("solana", "500")
    code, out, err = await run(config, "reserves", "--json")
    assert code == 1
    report = json.loads(out)
    states = {c["asset"]: c["ok"] for c in report["checks"]}
    assert states == {"BTC": True, "BNB": True, "KZTE": False}
    assert any(SIM_RESERVE_SOL in line and "solana" in line for line in report["failures"])
    assert SIM_RESERVE_SOL in err


async def test_transparency_writes_read_only_files_whose_head_matches_verify(sim, config, settings, tmp_path) -> None:
    out_dir = tmp_path / "public"
    code, out, err = await run(config, "transparency", "--out", str(out_dir))
    assert code == 0, err
    assert "(read-only)" in out
    snapshot_file, page = out_dir / "reserve.json", out_dir / "index.html"
    for path in (snapshot_file, page):
        # owner-only and read-only: publishing it is the operator's act
        assert stat.S_IMODE(path.stat().st_mode) == 0o400
    snapshot = json.loads(snapshot_file.read_text())
    code, verified, _ = await run(config, "verify")
    assert code == 0
    head = re.search(r"head ([0-9a-f]{64})", verified)[1]
    assert snapshot["register"]["head_hash"] == head and head in page.read_text()
    assert snapshot["fund"] == settings.reserve.fund and snapshot["proof"]["register_equals_chain"] is True
    assert {a["address"] for a in snapshot["reserve_addresses"]} >= {SIM_RESERVE_BNB, SIM_RESERVE_SOL}
    opening = [i for i in snapshot["daily_inflows"] if i["source"] == "opening"]
    assert {i["asset"]: i["amount"] for i in opening} == {
        "BTC": "12.50000000",
        "BNB": "8000.000000000000000000",
        "KZTE": "250000.00",
    }
    # a second run replaces the read-only files
    assert (await run(config, "transparency", "--out", str(out_dir)))[0] == 0


async def test_transparency_refuses_to_publish_a_failed_proof(sim, config, settings, tmp_path) -> None:
    sim.chain.set_balance("solana", SIM_RESERVE_SOL, 1)
    out_dir = tmp_path / "public"
    code, _, err = await run(config, "transparency", "--out", str(out_dir))
    assert code == 1 and "nothing written" in err and SIM_RESERVE_SOL in err
    assert not out_dir.exists() or not any(out_dir.iterdir())


async def test_hashprice_json(sim, config, settings) -> None:
    code, out, err = await run(config, "hashprice", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["height"] == sim.chain.tip_height() and report["fee_blocks"] == 144
    assert report["difficulty"]["source"].startswith("esplora") and report["difficulty"]["age_seconds"] >= 0
    assert report["expected_btc_per_ph_day"].startswith("0.000")
    assert "hashrate_ph" in report["realised_note"] or "no pool earnings" in report["realised_note"]


async def test_missing_register_exits_3(sim, config) -> None:
    code, _, err = await run(config, "reserves")
    assert code == 3 and "desk init" in err
