"""`desk migrate` as a person runs it: a line saying what was copied and verified, exit codes
for a refused target and a bad batch size."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from desk.cli.progress import CopyMeter
from tests.conftest import REPO
from tests.register.full_book import build, settings_in
from tests.waiting import PATIENCE


def desk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desk", *args], capture_output=True, text=True, cwd=REPO, timeout=PATIENCE
    )


async def test_migrate_copies_verifies_and_refuses_to_copy_twice(tmp_path: Path) -> None:
    settings = settings_in(tmp_path / "source")
    await build(settings)
    source, target = settings.register.path, tmp_path / "copy" / "register.sqlite"
    done = desk("migrate", "--from", f"sqlite:///{source}", "--to", f"sqlite:///{target}", "--batch", "7")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OK 20 entries, ") and "verified, head " in done.stdout
    assert "copied " in done.stderr and "rows in" in done.stderr
    assert target.stat().st_mode & 0o077 == 0
    again = desk("migrate", "--from", str(source), "--to", str(target))
    assert again.returncode == 4 and "not empty" in again.stderr and "nothing was written" in again.stderr
    assert desk("migrate", "--from", str(source), "--to", str(tmp_path / "x.sqlite"), "--batch", "0").returncode == 2
    missing = desk("migrate", "--from", str(tmp_path / "none.sqlite"), "--to", str(tmp_path / "y.sqlite"))
    assert missing.returncode == 3 and "no register here" in missing.stderr


def test_the_progress_line_names_the_table_and_is_cleared_at_the_end() -> None:
    out = io.StringIO()
    meter = CopyMeter(out)
    meter.progress("entries", 5_000, 1_000_000)
    meter.progress("entries", 1_000_000, 1_000_000)  # the end of a table always is
    meter.done(1_000_000)
    text = out.getvalue()
    assert text.startswith("\rcopying entries: 5,000 / 1,000,000 rows\x1b[K")
    assert "\rcopying entries: 1,000,000 / 1,000,000 rows" in text
    assert text.endswith("rows/s)\n") and "\r\x1b[Kcopied 1,000,000 rows in " in text
