"""Files desk writes are its operator's alone, whatever the umask; a register others can read
is refused with the `chmod` that fixes it; the sync lock is the file's, however it is reached."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from desk.cli import main
from desk.config import ConfigError, load_settings
from desk.proof.transparency import write_snapshot
from desk.register import Register, RegisterUnavailable
from desk.sync.lock import SyncAlreadyRunning, SyncLock
from tests.integrity.conftest import Book


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most careless umask there is: everything desk creates would be world-writable."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def configured(book: Book, monkeypatch: pytest.MonkeyPatch) -> Book:
    monkeypatch.setenv("DESK_CONFIG", str(book.path.parent / "desk.toml"))
    monkeypatch.chdir(book.path.parent)
    return book


def test_an_export_and_its_new_folders_are_owner_only(configured: Book, open_umask: None) -> None:
    out = configured.path.parent / "exports" / "2026" / "book.journal"
    assert main(["export", "--format", "hledger", "--out", str(out)]) == 0
    assert mode(out) == 0o600
    assert mode(out.parent) == mode(out.parent.parent) == 0o700
    assert not [p for p in out.parent.iterdir() if p != out]  # no partial file left behind


def test_a_report_is_owner_only(configured: Book, open_umask: None) -> None:
    out = configured.path.parent / "reports" / "november.md"
    assert main(["report", "--month", "2026-11", "--format", "md", "--out", str(out)]) == 0
    assert mode(out) == 0o600 and mode(out.parent) == 0o700


def test_the_transparency_snapshot_is_owner_only_and_read_only(tmp_path: Path, open_umask: None) -> None:
    snapshot = {
        "fund": "Alem",
        "generated_at": "2026-11-24T00:00:00+00:00",
        "register": {"head_seq": 1, "head_hash": "0" * 64, "entries": 1},
        "proof": {"register_equals_chain": True, "heights": {}, "statement": "equal"},
        "reserve_addresses": [],
        "balances": [],
        "daily_inflows": [],
    }
    written = write_snapshot(snapshot, tmp_path / "public" / "reserve")
    assert {mode(p) for p in written} == {0o400}
    assert mode(tmp_path / "public") == mode(tmp_path / "public" / "reserve") == 0o700


async def test_a_new_register_and_its_folder_are_owner_only(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "data" / "register.sqlite"
    async with Register.open(path, operator="aliya", create=True):
        pass
    assert mode(path) == 0o600 and mode(path.parent) == 0o700


@pytest.mark.parametrize("exposed", ["", "-wal"])
async def test_a_register_others_can_read_is_refused_with_the_chmod_that_fixes_it(book: Book, exposed: str) -> None:
    target = Path(f"{book.path}{exposed}")
    if exposed:
        target.write_bytes(b"")  # a leftover WAL file from when the register was readable
    target.chmod(0o644)
    with pytest.raises(RegisterUnavailable) as refused:
        async with Register.open(book.path, operator="aliya"):
            pass
    assert f"Fix: chmod 600 {target}" in str(refused.value)
    target.chmod(0o600)
    async with Register.open(book.path, operator="aliya") as reg:
        assert (await reg.verify()).ok


def test_the_command_line_names_the_chmod_in_one_line_and_exits_3(
    configured: Book, capsys: pytest.CaptureFixture[str]
) -> None:
    configured.path.chmod(0o640)
    assert main(["balances"]) == 3
    (line,) = capsys.readouterr().err.splitlines()
    assert "readable by group or others (register.sqlite mode 640)" in line and line.endswith(
        f"chmod 600 {configured.path}"
    )


def test_every_bad_secret_file_is_reported_at_once(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir(mode=0o700)
    (secrets / "pools__a__token").write_bytes(b"\xff\xfe")
    (secrets / "pools__a__token").chmod(0o600)
    (secrets / "pools__b__token").write_text("tok-b")
    (secrets / "pools__b__token").chmod(0o644)
    (secrets / "pools__c__token").write_text("tok-c")
    (secrets / "pools__c__token").chmod(0o600)
    with pytest.raises(ConfigError) as bad:
        load_settings(None, env={}, secrets_dir=secrets)
    assert len(bad.value.problems) == 2
    assert "pools__a__token: secret file is not UTF-8 text" in bad.value.problems[0]
    assert "pools__b__token" in bad.value.problems[1] and "chmod 600" in bad.value.problems[1]
    assert "tok-" not in str(bad.value)


def test_the_sync_lock_is_taken_on_the_file_however_it_is_reached(book: Book, tmp_path: Path) -> None:
    link = tmp_path / "elsewhere" / "same.sqlite"
    link.parent.mkdir()
    link.symlink_to(book.path)
    with SyncLock(book.path), pytest.raises(SyncAlreadyRunning):
        SyncLock(link).acquire()
    relative = Path(os.path.relpath(book.path))
    with SyncLock(link), pytest.raises(SyncAlreadyRunning):
        SyncLock(relative).acquire()
