"""The console script works from a clean venv with the built wheel installed.

The wheel is built and installed without dependencies into a new venv; the dependencies
come from the test venv through a .pth file, so the test needs no network.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

from tests.conftest import REPO


def test_wheel_installs_and_console_script_runs(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist),
         str(REPO)],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("desk-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    result = subprocess.run(
        [env_dir / "bin" / "desk", "--version"], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "desk 0.1.0"
    check = subprocess.run(
        [env_dir / "bin" / "desk", "config", "check", "--config", str(REPO / "config.example.toml")],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )
    assert check.returncode == 0, check.stderr
