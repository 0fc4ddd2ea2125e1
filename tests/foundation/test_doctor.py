"""`desk doctor` run for real: a subprocess on a real register, asking the simulator's
exchanges for their time over real sockets (the simulator runs on this test's event loop, so
every wait here is awaited, never blocking it)."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import pty
import re
import sqlite3
import struct
import termios
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from desk.cli.demo_cmds import write_config
from desk.config import load_settings
from desk.register import Register, probe_register
from desk.sim import SimCluster
from tests.builders import desk_command, sim_fixture
from tests.conftest import REPO

TIMEOUT_S = 120


#: On the real clock (no fixed `now`): the exchanges' time is this machine's.
sim = sim_fixture(seed=5, now=None, days=2)


@pytest.fixture
async def config(tmp_path: Path, sim: SimCluster) -> Path:
    """A desk configured on the simulator, with its register created by `desk init`'s code."""
    register = tmp_path / "data" / "register.sqlite"
    path = write_config(
        tmp_path / "desk.toml",
        {**sim.settings_overrides(), "register": {"path": str(register)}, "operator": {"name": "doc"}},
    )
    async with Register.open(register, operator="doc", create=True) as reg:
        await reg.init_accounts(load_settings(path, env={}))
    return path


def doctor_env(config: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "DESK_CONFIG": str(config), "PYTHONPATH": str(REPO), **extra}


async def doctor(config: Path, *args: str, **env: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *desk_command("doctor", *args),
        env=doctor_env(config, **env),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), TIMEOUT_S)
    return process.returncode or 0, out.decode(), err.decode()


def lines_of(out: str, check: str) -> list[str]:
    """The first line of each finding of `check`: `ok    clock  within ...`."""
    return [line for line in out.splitlines() if line[6:].split(" ", 1)[0] == check]


def files_in(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.iterdir()}


async def test_a_sound_desk_passes_every_check_and_nothing_is_written(config: Path) -> None:
    folder = load_settings(config, env={}).register.path.parent
    before = files_in(folder)
    code, out, err = await doctor(config)
    assert files_in(folder) == before, "the doctor created or changed a register file"
    assert code == 0, out + err
    for check in ("config", "register", "privacy", "hledger", "clock"):
        assert lines_of(out, check)[0].startswith("ok "), out
    assert "within" in lines_of(out, "clock")[0] and "binance, kraken, coinbase" in lines_of(out, "clock")[0]
    assert lines_of(out, "terminal")[0].startswith("skip ")  # stdout is a pipe here
    assert out.rstrip().endswith("desk doctor: everything the desk needs is in order")


async def test_a_clock_five_minutes_off_the_exchanges_fails_with_the_fix(config: Path, sim: SimCluster) -> None:
    sim.advance(timedelta(minutes=5))  # every exchange's clock now reads 5 minutes later than ours
    code, out, _ = await doctor(config)
    assert code == 1
    (clock,) = lines_of(out, "clock")
    assert clock.startswith("FAIL") and "the local clock is " in clock
    # five minutes, each as measured within the uncertainty the doctor states (a loaded machine
    # widens the round trip: 4 min 59.99 s ± 0.01 s is five minutes), shown to the hundredth
    offsets = {name: (seconds, bound) for name, seconds, bound in clock_offsets(clock)}
    assert sorted(offsets) == ["binance", "coinbase", "kraken"], clock
    for name, (seconds, bound) in offsets.items():
        assert abs(seconds - 300) <= bound + Decimal("0.01"), (name, clock)
    assert "fix: synchronise the clock" in out
    code, out, _ = await doctor(config, "--json")
    report = json.loads(out)
    assert code == report["exit_code"] == 1
    assert [f["status"] for f in report["findings"] if f["check"] == "clock"] == ["fail"]


async def test_an_exchange_that_does_not_answer_is_named_and_only_warned(config: Path, sim: SimCluster) -> None:
    sim.faults.set("kraken", "500")
    code, out, _ = await doctor(config)
    assert code == 0, out
    warned, agreed = lines_of(out, "clock")
    assert warned.startswith("WARN") and "could not ask for the time" in warned
    assert "kraken: " in out and "HTTP 500" in out
    assert agreed.startswith("ok ") and agreed.endswith("of binance, coinbase")


async def test_a_register_others_can_read_fails_and_the_fix_it_prints_works(config: Path) -> None:
    register = load_settings(config, env={}).register.path
    register.chmod(0o644)
    code, out, _ = await doctor(config)
    assert code == 1
    (privacy,) = lines_of(out, "privacy")
    assert privacy.startswith("FAIL") and "register.sqlite 644" in privacy
    fix = next(line.split("fix: ", 1)[1] for line in out.splitlines() if "fix: chmod" in line)
    assert fix.startswith("chmod 600 ") and str(register) in fix.split()
    await (await asyncio.create_subprocess_shell(fix)).wait()
    code, out, _ = await doctor(config)
    assert code == 0 and lines_of(out, "privacy")[0].startswith("ok "), out


async def test_no_register_exits_3_and_says_desk_init(config: Path) -> None:
    register = load_settings(config, env={}).register.path
    for suffix in ("", "-wal", "-shm"):
        register.with_name(register.name + suffix).unlink(missing_ok=True)
    code, out, _ = await doctor(config)
    assert code == 3
    assert lines_of(out, "register")[0].startswith(f"FAIL  register  {register}: no register here")
    assert "fix: `desk init` creates it" in out
    assert lines_of(out, "clock")[0].startswith("ok "), "the other checks still run"


async def test_a_file_that_is_no_register_or_a_newer_one_exits_3(config: Path, tmp_path: Path) -> None:
    register = load_settings(config, env={}).register.path
    with sqlite3.connect(register) as conn:
        conn.execute("PRAGMA user_version = 999")
    code, out, _ = await doctor(config)
    assert code == 3 and "schema version 999 is newer than this desk understands" in out and "upgrade desk" in out
    stranger = tmp_path / "other.sqlite"
    sqlite3.connect(stranger).close()
    code, out, _ = await doctor(config, DESK_REGISTER__PATH=str(stranger))
    assert code == 3 and "this SQLite file is not a desk register" in out


async def test_bad_configuration_exits_2_naming_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[sync]\npools_interval = -1\n")
    code, out, _ = await doctor(bad)
    assert code == 2
    assert lines_of(out, "config")[0].startswith("FAIL") and "sync.pools_interval" in out
    assert lines_of(out, "register")[0].startswith("skip")


async def test_without_hledger_it_warns_with_the_install_command(config: Path, tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    code, out, _ = await doctor(config, PATH=str(empty))
    assert code == 0
    (hledger,) = lines_of(out, "hledger")
    assert hledger.startswith("WARN") and "not on the PATH" in hledger
    assert "fix: sudo apt-get install hledger" in out


async def on_terminal(config: Path, columns: int, lines: int, **env: str) -> tuple[int, str]:
    """`desk doctor` with a pseudo-terminal of that size as its standard output."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    process = await asyncio.create_subprocess_exec(
        *desk_command("doctor"),
        env=doctor_env(config, **env),
        cwd=REPO,
        stdin=slave,
        stdout=slave,
        stderr=slave,
    )
    os.close(slave)
    output = await asyncio.to_thread(read_until_closed, master)
    code = await asyncio.wait_for(process.wait(), TIMEOUT_S)
    return code, output.decode().replace("\r\n", "\n")


def read_until_closed(fd: int) -> bytes:
    chunks = []
    try:
        while chunk := os.read(fd, 4096):
            chunks.append(chunk)
    except OSError:  # EIO: the other end closed
        pass
    finally:
        os.close(fd)
    return b"".join(chunks)


async def test_on_a_terminal_it_judges_size_and_colours(config: Path) -> None:
    code, out = await on_terminal(config, 70, 20, TERM="dumb", COLORTERM="")
    assert code == 0, out
    assert lines_of(out, "terminal")[0].startswith("WARN  terminal  70x20 is too small for the screen")
    assert lines_of(out, "colours")[0].startswith("WARN  colours   TERM='dumb': no colours")
    code, out = await on_terminal(config, 132, 43, TERM="xterm-256color", COLORTERM="truecolor")
    assert lines_of(out, "terminal")[0].startswith("ok    terminal  132x43")
    assert lines_of(out, "colours")[0].startswith("ok    colours   truecolor")


async def test_a_register_a_writer_has_open_is_read_through_its_wal(config: Path) -> None:
    register = load_settings(config, env={}).register.path
    async with Register.open(register, operator="doc") as reg:
        await reg.count()
        assert register.with_name(register.name + "-wal").exists()
        code, out, _ = await doctor(config)
        assert code == 0, out
        assert lines_of(out, "register")[0].startswith("ok ")
        assert lines_of(out, "privacy")[0].startswith("ok ")


def test_a_path_that_cannot_even_be_looked_at_is_named_with_the_reason(tmp_path: Path) -> None:
    """(As root no folder is closed, so a name too long stands in for a folder one may not enter.)"""
    path = tmp_path / ("x" * 300) / "register.sqlite"
    probe = probe_register(path)
    assert probe.problem == f"{path}: cannot be read (File name too long)"


def clock_offsets(line: str) -> list[tuple[str, Decimal, Decimal]]:
    """(exchange, seconds behind, ± bound) of each "M min S s behind NAME (± B s)" in `line`."""
    found = re.finditer(r"(?:(\d+) min)? ?(?:([\d.]+) s)? behind (\w+) \(± ([\d.]+) s\)", line)
    return [(m[3], 60 * Decimal(m[1] or 0) + Decimal(m[2] or 0), Decimal(m[4])) for m in found]
