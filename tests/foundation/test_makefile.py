"""The Makefile's set-up, where it can be tried without the network: what `make test` runs
first, that a finished set-up is not redone, and what a Python without pip is told."""

from __future__ import annotations

import os
import shutil
import subprocess
import venv
from pathlib import Path

from tests.conftest import REPO

TRUE = shutil.which("true") or "/bin/true"


def make(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "-s", "-C", str(REPO), *args], capture_output=True, text=True, check=check)


def test_make_test_brings_the_system_packages_before_anything_else(tmp_path: Path) -> None:
    """The Makefile's one list goes to `.ci/tools` first, so a missing package stops
    `make test` before any set-up time is spent."""
    commands = make("-n", "test", f"VENV={tmp_path / 'venv'}", f"UV={TRUE}").stdout.splitlines()
    assert commands[0].split() == [".ci/tools", "hledger", "zsh", "chromium", "chromium-driver", "postgresql"]
    assert commands[1] == f"{TRUE} sync --locked --quiet --extra test"


def test_the_demo_installs_the_runtime_only_and_keeps_the_test_tools(tmp_path: Path) -> None:
    commands = make("-n", "demo", f"VENV={tmp_path / 'venv'}", f"UV={TRUE}").stdout.splitlines()
    assert commands[0] == f"{TRUE} sync --locked --quiet --inexact"  # no --extra test; removes nothing
    assert commands[-1] == f"{tmp_path / 'venv'}/bin/desk demo"


def test_a_finished_set_up_is_not_redone_until_the_lock_changes(tmp_path: Path) -> None:
    venv_dir = tmp_path / "venv"
    venv_dir.mkdir()
    stamps = [venv_dir / ".runtime", venv_dir / ".installed"]
    for stamp in stamps:
        stamp.touch()
    newest = max((REPO / name).stat().st_mtime for name in ("pyproject.toml", "uv.lock"))
    for stamp in stamps:
        os.utime(stamp, (newest + 10, newest + 10))
    for stamp in stamps:
        assert make("-q", f"VENV={venv_dir}", f"UV={TRUE}", str(stamp), check=False).returncode == 0
    os.utime(stamps[0], (newest - 10, newest - 10))  # uv.lock is newer than the set-up now
    assert make("-q", f"VENV={venv_dir}", f"UV={TRUE}", str(stamps[0]), check=False).returncode == 1


def test_a_python_without_pip_is_told_what_to_install(tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    venv.create(bare, with_pip=False)
    tools = tmp_path / "tools"
    result = make(f"PYTHON={bare / 'bin' / 'python'}", f"TOOLS={tools}", f"{tools}/bin/uv", check=False)
    assert result.returncode != 0
    assert "could not fetch uv: install uv, or pip for" in result.stderr
    assert "apt-get install python3-pip" in result.stderr
    assert not (tools / "bin" / "uv").exists()


def test_ci_runs_exactly_make_test() -> None:
    """CI installs nothing of its own: `make test` brings it, as on a developer's machine."""
    commands = [
        line.strip()
        for line in (REPO / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert commands[-1] == "make test"
    assert not any("apt-get" in line for line in commands)
