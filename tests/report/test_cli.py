"""`desk report` as a person meets it: one clear line and the documented exit code."""

from __future__ import annotations

from pathlib import Path

import pytest

from desk.cli import main
from desk.cli.exit_codes import ExitCode
from tests.report.seed import write_config


def test_a_bad_month_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(["report", "--config", str(config), "--month", "2026-13"])
    assert exited.value.code == ExitCode.CONFIG
    assert "month '2026-13' is not YYYY-MM (e.g. 2026-11)" in capsys.readouterr().err


def test_a_bad_as_of_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    with pytest.raises(SystemExit):
        main(["report", "--config", str(config), "--month", "2026-11", "--as-of", "yesterday"])
    assert "'yesterday' is not a date-time like 2026-12-01T00:00:00Z" in capsys.readouterr().err


def test_no_register_exits_3_and_nothing_is_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    out = tmp_path / "r.md"
    assert main(["report", "--config", str(config), "--month", "2026-11", "--out", str(out)]) == ExitCode.REGISTER
    assert capsys.readouterr().err.startswith("desk report: ")
    assert not out.exists()


def test_the_report_and_the_alerts_never_import_textual() -> None:
    import subprocess
    import sys

    from tests.conftest import REPO

    code = (
        "import sys, desk.report, desk.report.output, desk.cli.report_cmds, desk.sync.alerting;"
        "sys.exit('textual' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False).returncode == 0


def test_the_monthly_report_starts_without_aiohttp() -> None:
    """A report reads only the register unless --reconcile is given; importing aiohttp (the
    reconciliation's HTTP client) cost a sixth of its time at a million entries (issue 12)."""
    import subprocess
    import sys

    from tests.conftest import REPO

    code = "import sys, desk.cli.report_cmds, desk.report.build; sys.exit('aiohttp' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False).returncode == 0


@pytest.mark.parametrize("command", [["report", "--month", "2026-11"], ["export", "--format", "csv"]])
def test_out_dash_is_standard_output_not_a_file_named_dash(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    assert main(["init", "--config", str(config)]) == ExitCode.OK
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main([command[0], "--config", str(config), *command[1:], "--out", "-"]) == ExitCode.OK
    assert capsys.readouterr().out.strip()
    assert not (tmp_path / "-").exists()
