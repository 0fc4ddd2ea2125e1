"""`desk serve` on a configured desk (not the demo): the config's operator is the one every
browser session acts as, the register's sync runs in the server (one for all sessions, in the
lock file), a browser gets the desk's screen, and a SIGTERM leaves nothing running."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from tests.browser.browser import Page, chromium
from tests.browser.served import Served, alive, apps, assert_all_ended, descendants, free_port
from tests.conftest import REPO


def test_the_configured_desk_is_served_as_its_operator_with_one_sync(tmp_path: Path) -> None:
    register = tmp_path / "desk.sqlite"
    config = tmp_path / "desk.toml"
    config.write_text(f'[register]\npath = "{register}"\n\n[operator]\nname = "alice"\n')
    subprocess.run([sys.executable, "-m", "desk", "--config", str(config), "init"], cwd=REPO, check=True)
    port = free_port()
    served = Served("--config", str(config), "--port", str(port))
    try:
        served.wait_for(f"open http://127.0.0.1:{port} in a browser")
        assert "every browser session acts as alice (the config's operator, as in the terminal)" in served.output
        sync = [p for p in descendants(served.process.pid) if " sync " in " ".join(alive({p}))]
        assert len(sync) == 1 and (tmp_path / "desk.sqlite.sync.lock").read_text() == str(sync[0][0])
        assert f"the register's sync runs here (pid {sync[0][0]})" in served.output
        with chromium(tmp_path / "profile") as driver:
            driver.get(f"http://127.0.0.1:{port}/")
            page = Page(driver)
            page.wait_for("reserve", "latest activity")  # the dashboard of this (empty) register
            page.press("p")
            page.wait_for("operator: alice")
            processes = descendants(served.process.pid)
            sessions = apps(processes, f"desk --config {config} ")  # the screen: no command follows
            assert sessions, alive(processes)
            served.process.send_signal(signal.SIGTERM)
            assert served.stop() == 0, served.output
        assert_all_ended(processes, sessions)
    finally:
        served.kill()
