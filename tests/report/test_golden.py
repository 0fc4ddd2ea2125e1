"""The report of a seeded month, byte for byte, in every format, through the CLI.

Regenerate the golden files with `DESK_UPDATE_GOLDEN=1 pytest tests/report` and read the
diff before committing them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from desk.cli import main
from desk.config import DeskSettings

GOLDEN = Path(__file__).parent / "golden"
#: read at import: the shared conftest clears DESK_* variables before each test
UPDATE = os.environ.get("DESK_UPDATE_GOLDEN") == "1"
CASES = [("md", False), ("html", False), ("csv", False), ("md", True), ("csv", True)]


def _name(fmt: str, detail: bool) -> str:
    return f"november{'-detail' if detail else ''}.{fmt}"


def _run(settings: DeskSettings, out: Path, fmt: str, detail: bool) -> str:
    config = settings.register.path.parent / "desk.toml"
    argv = [
        "report",
        "--config",
        str(config),
        "--month",
        "2026-11",
        "--format",
        fmt,
        "--out",
        str(out),
        "--as-of",
        "2026-12-01T08:00:00Z",
    ]
    assert main([*argv, "--detail"] if detail else argv) == 0
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize(("fmt", "detail"), CASES)
async def test_report_matches_golden(seeded: DeskSettings, tmp_path: Path, fmt: str, detail: bool) -> None:
    text = await _to_thread(_run, seeded, tmp_path / f"out.{fmt}", fmt, detail)
    golden = GOLDEN / _name(fmt, detail)
    if UPDATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"{golden} missing: run with DESK_UPDATE_GOLDEN=1 and review it"
    assert text == golden.read_text(encoding="utf-8")


async def _to_thread(fn, *args):  # type: ignore[no-untyped-def]
    """`desk.cli.main` runs its own event loop; keep it off the test's loop."""
    import asyncio

    return await asyncio.to_thread(fn, *args)


async def test_two_seeds_give_the_same_bytes(tmp_path: Path) -> None:
    from tests.report.seed import seed, seeded_settings

    texts = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        settings = seeded_settings(folder)
        await seed(settings)
        texts.append(await _to_thread(_run, settings, folder / "r.html", "html", True))
    assert texts[0] == texts[1]
