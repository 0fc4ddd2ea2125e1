"""`desk serve` as a process the browser tests start, and the processes it leaves behind.

The server's output is read by a thread into a list, so a test waits for the line it needs
(with tests.waiting's patience as the net against a hang) and still sees everything the
server said when something fails."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.conftest import REPO
from tests.waiting import PATIENCE

#: the line desk serve prints once it listens, naming where
LISTENING = re.compile(r"desk serve: open (\S+) in a browser")
#: what it says when another program holds the port asked for
IN_USE = "is already in use"


@contextlib.contextmanager
def refused_port() -> Iterator[int]:
    """A loopback port that refuses every connection while the block runs: bound here and never
    listening, so no other program (another test's server) can take it meanwhile."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        yield int(holder.getsockname()[1])


class Served:
    """`desk serve ARGV` in a session of its own: its process group is what a terminal's Ctrl+C
    reaches (the server and the apps it started per browser), nothing of the test's.

    Tests serve on `--port 0`, the port the kernel gives, and read it from the server's first
    line (`url`): a port chosen free beforehand can be taken by another program before the
    server binds it (it was, once, in CI)."""

    def __init__(self, *argv: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "desk", "serve", *argv],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, text: str) -> None:
        """Return once the server has printed `text`; fail with its output if it exits first.
        The server's lines reach `output` one by one, as the reader thread gets to them: wait
        for each line a test needs (asserting one was there after waiting for an earlier one
        failed under load)."""
        deadline = time.monotonic() + PATIENCE
        while text not in self.output:
            if self.process.poll() is not None:
                self._reader.join(5)
                raise AssertionError(f"desk serve exited ({self.process.returncode}) before {text!r}:\n{self.output}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {text!r} from desk serve:\n{self.output}")
            time.sleep(0.05)

    def url(self) -> str:
        """Where the server listens (`http://HOST:PORT`), once it says so."""
        self.wait_for(" in a browser")
        found = LISTENING.search(self.output)
        assert found, self.output
        return found[1]

    @classmethod
    def on_a_free_port(cls, argv: Callable[[int], list[str]], env: dict[str, str] | None = None) -> tuple[Served, int]:
        """For arguments that must name the port beforehand (a --public-url): a port the kernel
        calls free, and another if some other program takes it before the server binds it."""
        for _attempt in range(5):
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = int(probe.getsockname()[1])
            served = cls(*argv(port), env=env)
            try:
                served.url()
            except AssertionError:
                if served.process.poll() is not None and IN_USE in served.output:
                    continue
                served.kill()
                raise
            return served, port
        raise AssertionError(f"no free port for desk serve after 5 tries:\n{served.output}")

    def interrupt(self) -> None:
        """Ctrl+C at the terminal: SIGINT to the whole foreground process group."""
        os.killpg(self.process.pid, signal.SIGINT)

    def stop(self) -> int:
        """Wait for the server to exit (after a signal); its exit code."""
        try:
            return self.process.wait(PATIENCE)
        finally:
            self._reader.join(5)

    def kill(self) -> None:
        """After a failed test: nothing of it may outlive the test."""
        for pid, _ in descendants(self.process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat's fields after the command name (state is [0], parent [1], start time [19])."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def descendants(root: int) -> set[tuple[int, str]]:
    """Every live process below `root` (children, theirs, ...), as (pid, start time): the start
    time tells a process from a later one given the same pid."""
    parents: dict[int, list[tuple[int, str]]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) and fields[0] != "Z":
            parents.setdefault(int(fields[1]), []).append((int(entry.name), fields[19]))
    found: set[tuple[int, str]] = set()
    todo = [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.add(child)
            todo.append(child[0])
    return found


def alive(processes: set[tuple[int, str]]) -> list[str]:
    """Those of `processes` still running (a zombie has ended), with their command lines."""
    left = []
    for pid, started in processes:
        fields = _stat(pid)
        if fields and fields[19] == started and fields[0] != "Z":
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            left.append(f"{pid}: {command}")
    return left


#: A process whose last output the server has read may still be inside its exit for a moment
#: after: how long "gone" allows for that. A process left running stays far longer.
EXITING = 5.0


def left_running(processes: set[tuple[int, str]]) -> list[str]:
    """Those of `processes` still running once the ones already exiting have had `EXITING`
    seconds to finish (returns as soon as none is left)."""
    deadline = time.monotonic() + EXITING
    while (running := alive(processes)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return running


def apps(processes: set[tuple[int, str]], marker: str) -> set[tuple[int, str]]:
    """The browsers' apps among `processes` (running now): those whose command line has `marker`."""
    return {p for p in processes if any(marker in line for line in alive({p}))}


def assert_all_ended(processes: set[tuple[int, str]], sessions: set[tuple[int, str]]) -> None:
    """Nothing the server started runs once it has exited: its sync and the simulator it waited
    for; a session's app (`sessions`, told apart while they ran) it saw end its output, which it
    does as it exits, so it may still be inside its exit for a moment, and has that moment."""
    assert alive(processes - sessions) == []
    assert left_running(sessions) == []
