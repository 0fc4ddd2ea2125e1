"""`desk --print-completion bash|zsh` completes the whole command tree in the real shells:
bash through its completion variables, zsh at an interactive prompt in a pseudo-terminal
(zpty), typing TAB as a person would."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def print_completion(shell: str) -> subprocess.CompletedProcess[str]:
    """`desk --print-completion <shell>`, run as a person runs it."""
    return subprocess.run(
        [sys.executable, "-m", "desk", "--print-completion", shell],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )


@functools.cache
def script(shell: str) -> str:
    result = print_completion(shell)
    assert result.returncode == 0, result.stderr
    return result.stdout


def bash_complete(tmp_path: Path, line: str) -> list[str]:
    """What bash offers for TAB at the end of `line`."""
    bash = shutil.which("bash")
    assert bash
    completion = tmp_path / "desk.bash"
    completion.write_text(script("bash"))
    words = line.split(" ")
    driver = (
        f"source {completion}\n"
        f"COMP_WORDS=({' '.join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}\n"
        f"COMP_LINE={line!r}; COMP_POINT={len(line)}\n"
        '_shtab_desk desk "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"\n'
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = subprocess.run(
        [bash, "--norc", "--noprofile", "-c", driver],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_bash_completes_commands_options_choices_and_paths(tmp_path: Path) -> None:
    assert bash_complete(tmp_path, "desk doc") == ["doctor"]
    assert {"--json", "--config", "--help"} <= set(bash_complete(tmp_path, "desk doctor --"))
    assert bash_complete(tmp_path, "desk --print-completion ") == ["bash", "zsh"]
    assert sorted(bash_complete(tmp_path, "desk export --format ")) == ["beancount", "csv", "hledger"]
    assert "resolve" in bash_complete(tmp_path, "desk reconcile ")
    (tmp_path / "desk-live.toml").write_text("")
    assert bash_complete(tmp_path, "desk verify --config desk-l") == ["desk-live.toml"]


#: drives an interactive zsh in a pseudo-terminal: each read waits for the text it expects
#: (no sleeping), and the whole run is bounded by the subprocess timeout
ZSH_DRIVER = r"""
zmodload zsh/zpty
zpty -b shell zsh -f -i
zpty -w shell "PS1='> '; fpath=($FPATH_DIR \$fpath); autoload -Uz compinit; compinit -u -D; desk() {}; echo RE''ADY"
zpty -r -m shell out '*READY*'
zpty -w -n shell $'desk do\t'
zpty -r -m shell out '*doctor*'
zpty -w -n shell $'--js\t'
zpty -r -m shell out '*--json*'
zpty -w -n shell $'\C-u desk --print-completion z\t'
zpty -r -m shell out '*zsh*'
zpty -d shell
print COMPLETED
"""


def test_zsh_completes_at_an_interactive_prompt(tmp_path: Path) -> None:
    zsh = shutil.which("zsh")
    assert zsh, "zsh is required for this test (`make test` installs it: TEST_SYSTEM_PACKAGES)"
    fpath = tmp_path / "completions"
    fpath.mkdir()
    (fpath / "_desk").write_text(script("zsh"))
    driver = tmp_path / "drive.zsh"
    driver.write_text(ZSH_DRIVER)
    result = subprocess.run(
        [zsh, "-f", str(driver)],
        env={"FPATH_DIR": str(fpath), "TERM": "xterm", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.rstrip().endswith("COMPLETED"), result.stdout + result.stderr


@pytest.mark.parametrize("shell", ["fish", ""])
def test_an_unsupported_shell_is_a_usage_error(shell: str) -> None:
    result = print_completion(shell)
    assert result.returncode == 2 and "invalid choice" in result.stderr
