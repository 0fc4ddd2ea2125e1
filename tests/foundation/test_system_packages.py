"""`make test` brings the Debian packages the tests run (.ci/tools): installed with apt-get when
this user may, else a stop at once with the one command that installs them.

The script runs for real, with fake `apt-get`, `dpkg-query`, `sudo` and `id` first on a PATH
that holds nothing else of the system's: each case is a machine state, and the fakes log what
was run. Nothing is installed on this machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO

TOOLS = REPO / ".ci" / "tools"
BASH = shutil.which("bash") or "/bin/bash"

#: dpkg-query -W -f='${db:Status-Abbrev}' PKG: "ii " when installed, exit 1 when unknown
FAKE_DPKG_QUERY = """#!/bin/sh
for last; do :; done
if grep -qx "$last" "$FAKE/installed"; then printf 'ii '; else echo "no packages found matching $last" >&2; exit 1; fi
"""
#: apt-get: logs its arguments; `install` fails ("Unable to locate") until `update` ran when
#: the lists are empty, or always when FAKE/broken exists; else it marks the packages installed
FAKE_APT_GET = """#!/bin/sh
echo "apt-get $* DEBIAN_FRONTEND=$DEBIAN_FRONTEND uid=$(id -u)" >> "$FAKE/log"
case "$1" in
  update) touch "$FAKE/lists"; echo "Reading package lists..."; exit 0 ;;
  install)
    [ -e "$FAKE/broken" ] && { echo "E: Sub-process /usr/bin/dpkg returned an error code (1)" >&2; exit 100; }
    [ -e "$FAKE/lists" ] || { echo "E: Unable to locate package" >&2; exit 100; }
    for arg; do case "$arg" in -*|install) ;; *) echo "$arg" >> "$FAKE/installed" ;; esac; done
    echo "Setting up packages ..."; exit 0 ;;
esac
"""
#: id -u: the uid the case sets (sudo runs its command as 0)
FAKE_ID = """#!/bin/sh
echo "${FAKE_UID:-0}"
"""
#: sudo -n: succeeds (as root) when the case allows sudo without a password
FAKE_SUDO = """#!/bin/sh
echo "sudo $*" >> "$FAKE/log"
[ -e "$FAKE/sudo-ok" ] || { echo "sudo: a password is required" >&2; exit 1; }
shift
FAKE_UID=0 exec "$@"
"""


@dataclass
class Machine:
    root: Path
    bin: Path

    def run(self, *packages: str, uid: int = 0) -> subprocess.CompletedProcess[str]:
        env = {"PATH": str(self.bin), "FAKE": str(self.root), "FAKE_UID": str(uid), "HOME": str(self.root)}
        return subprocess.run(
            [BASH, str(TOOLS), *packages], env=env, capture_output=True, text=True, timeout=60, check=False
        )

    def log(self) -> list[str]:
        path = self.root / "log"
        return path.read_text().splitlines() if path.exists() else []

    def installed(self) -> set[str]:
        return set((self.root / "installed").read_text().split())


def fake_machine(
    tmp_path: Path, *, installed: tuple[str, ...] = (), apt: bool = True, lists: bool = True, sudo: bool = False
) -> Machine:
    root = tmp_path / "machine"
    bin_dir = root / "bin"
    bin_dir.mkdir(parents=True)
    fakes = {"dpkg-query": FAKE_DPKG_QUERY, "id": FAKE_ID, "sudo": FAKE_SUDO}
    if apt:
        fakes["apt-get"] = FAKE_APT_GET
    for name, text in fakes.items():
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    for tool in ("sh", "env", "cat", "rm", "mktemp", "grep", "touch", "printf", "true"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    (root / "installed").write_text("".join(f"{p}\n" for p in installed))
    if lists:
        (root / "lists").touch()
    if sudo:
        (root / "sudo-ok").touch()
    return Machine(root, bin_dir)


def test_nothing_missing_is_silent_and_runs_no_apt(tmp_path: Path) -> None:
    machine = fake_machine(tmp_path, installed=("hledger", "postgresql"))
    result = machine.run("hledger", "postgresql")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert machine.log() == []


def test_a_command_of_that_name_on_the_path_counts_as_installed(tmp_path: Path) -> None:
    machine = fake_machine(tmp_path)  # dpkg knows nothing: hledger came some other way
    (machine.bin / "hledger").write_text("#!/bin/sh\n")
    (machine.bin / "hledger").chmod(0o755)
    result = machine.run("hledger")
    assert result.returncode == 0 and machine.log() == []


def test_root_installs_only_what_is_missing_quietly(tmp_path: Path) -> None:
    machine = fake_machine(tmp_path, installed=("chromium",))
    result = machine.run("hledger", "chromium", "chromium-driver")
    assert result.returncode == 0, result.stderr
    assert machine.log() == [
        "apt-get install -y -qq --no-install-recommends hledger chromium-driver DEBIAN_FRONTEND=noninteractive uid=0"
    ]
    assert {"hledger", "chromium-driver"} <= machine.installed()
    assert result.stderr == "make test: installing hledger chromium-driver with apt-get (the tests run them for real)\n"
    assert "Setting up" not in result.stdout + result.stderr  # apt's chatter stays in the log


def test_empty_package_lists_are_updated_once_then_installed(tmp_path: Path) -> None:
    machine = fake_machine(tmp_path, lists=False)  # a fresh machine: apt-get update never ran
    result = machine.run("hledger")
    assert result.returncode == 0, result.stderr
    assert [line.split()[1] for line in machine.log()] == ["install", "update", "install"]
    assert "hledger" in machine.installed()


def test_a_user_with_passwordless_sudo_installs_through_sudo(tmp_path: Path) -> None:
    machine = fake_machine(tmp_path, sudo=True)
    result = machine.run("hledger", uid=1000)
    assert result.returncode == 0, result.stderr
    assert machine.log()[0] == "sudo -n true"
    assert (
        machine.log()[1] == "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
        "--no-install-recommends hledger"
    )
    assert machine.log()[2].endswith("uid=0")
    assert "hledger" in machine.installed()


def test_a_user_who_cannot_install_is_stopped_at_once_with_the_command(tmp_path: Path) -> None:
    machine = fake_machine(tmp_path, sudo=False)
    result = machine.run("hledger", "postgresql", uid=1000)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "make test: the tests need Debian packages that are not installed: hledger postgresql. Install them with:",
        "  sudo apt-get install -y hledger postgresql",
    ]
    assert not any(line.startswith("apt-get") for line in machine.log())


def test_without_apt_get_it_names_the_packages_and_stops(tmp_path: Path) -> None:
    machine = fake_machine(tmp_path, apt=False)
    result = machine.run("hledger")
    assert result.returncode == 1
    assert "the tests need hledger" in result.stderr and "package manager" in result.stderr


def test_a_failed_install_shows_apt_output_and_the_command(tmp_path: Path) -> None:
    machine = fake_machine(tmp_path)
    (machine.root / "broken").touch()
    result = machine.run("hledger")
    assert result.returncode == 1
    assert "E: Sub-process /usr/bin/dpkg returned an error code (1)" in result.stderr
    assert result.stderr.rstrip().endswith("try: sudo apt-get install -y hledger")
