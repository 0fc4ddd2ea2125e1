"""`desk demo` as a newcomer runs it: in a terminal, the screen on the simulator, `q` ends it
all (screen, sync child, simulator) with exit 0 and a register that verifies."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time
from pathlib import Path

from desk.register.verify import verify_file
from desk.sync.lock import SyncLock
from tests.conftest import REPO
from tests.waiting import PATIENCE

SEED = "4243"


def read_until(fd: int, marker: bytes, timeout: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                seen += os.read(fd, 1 << 16)
            except OSError:
                break
    return seen


def simulators_running() -> list[str]:
    """Command lines of live `desk sim` processes started with this test's seed."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"sim" in cmd and SEED.encode() in cmd:
            found.append(b" ".join(cmd).decode(errors="replace"))
    return found


def test_desk_demo_opens_the_screen_and_q_stops_everything(tmp_path: Path) -> None:
    register = tmp_path / "demo.sqlite"
    argv = [sys.executable, "-m", "desk", "demo", "--seed", SEED, "--register", str(register)]
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        os.chdir(REPO)
        os.execvpe(argv[0], argv, {**os.environ, "PYTHONPATH": str(REPO)})
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    quit_sent = False
    try:
        screen = read_until(fd, b"prices", PATIENCE)
        assert b"prices" in screen, screen[-2000:]
        # hourly closes appear only once the sync child has written the simulated history
        assert b"binance:1h" in read_until(fd, b"binance:1h", PATIENCE)
        assert simulators_running()
        os.write(fd, b"q")
        quit_sent = True
        read_until(fd, b"\0never", PATIENCE)  # drain until the terminal closes (an OSError ends it)
    finally:
        if not quit_sent:  # a failed step must not leave the demo running (nor this test waiting)
            os.write(fd, b"q")
            read_until(fd, b"\0never", PATIENCE)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert simulators_running() == []
    with SyncLock(register):  # no sync child holds the register any more
        pass
    assert verify_file(register).ok
