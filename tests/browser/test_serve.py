"""`desk serve --demo` in a real headless browser (Debian's chromium through chromedriver):
the page shows the dashboard, `r` opens the register with its rows, the operator is the
demo's own with its maker/checker switch, `q` ends that browser's session alone, and a
Ctrl+C or a SIGTERM stops the server with nothing left running (the apps of the sessions,
their sync children, the server's sync, the simulator)."""

from __future__ import annotations

import re
import signal
import urllib.request
from pathlib import Path

from tests.browser.browser import Page, chromium
from tests.browser.served import Served, alive, apps, assert_all_ended, descendants
from tests.waiting import PATIENCE

SEED = "4251"


def test_the_page_shows_the_dashboard_r_opens_the_register_and_ctrl_c_stops_it_all(tmp_path: Path) -> None:
    served = Served("--demo", "--port", "0", "--seed", SEED)
    try:
        url = served.url()
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":0"), url  # the port it was given
        served.wait_for("every browser session acts as demo-maker")
        with chromium(tmp_path / "profile") as driver:
            driver.get(url + "/")
            page = Page(driver)
            page.wait_for("prices", "sell-through", "latest activity")
            page.press("r")
            screen = page.wait_for("chain head #", "showing", "payout")
            assert "sell-through" not in screen  # the register screen, not the dashboard behind it
            processes = descendants(served.process.pid)
            running = alive(processes)
            assert any("demo --attach" in line for line in running), running  # this browser's app
            assert any(" sim " in line for line in running), running
            assert any(" sync " in line for line in running), running
            sessions = apps(processes, "demo --attach")
            served.interrupt()  # Ctrl+C at the terminal, with the browser still connected
            assert served.stop() == 0, served.output
        assert_all_ended(processes, sessions)
    finally:
        served.kill()


def test_the_operator_switch_works_q_ends_one_session_and_sigterm_stops_the_rest(tmp_path: Path) -> None:
    # every address of the machine: allowed with --public only, and said to want a proxy in front
    served, port = Served.on_a_free_port(
        lambda port: [
            "--demo",
            "--port",
            str(port),
            "--seed",
            SEED,
            "--host",
            "0.0.0.0",
            "--public",
            "--public-url",
            f"http://127.0.0.1:{port}",
        ]
    )
    url = f"http://127.0.0.1:{port}"
    try:
        assert served.url() == url
        served.wait_for("A reverse proxy with authentication (and TLS) belongs in front of it.")
        with chromium(tmp_path / "profile") as driver:
            driver.get(url + "/")
            page = Page(driver)
            page.wait_for("prices")
            page.press("p")
            page.wait_for("operator: demo-maker")
            page.press("o")
            page.wait_for("operator: demo-checker")
            before = descendants(served.process.pid)
            session = apps(before, "demo --attach")
            assert session, alive(before)
            page.press("q")
            page.until(page.shows_session_ended, "the page to say the session ended")
            page.until(lambda: alive(session) == [], "the session's app to exit")
            with urllib.request.urlopen(url + "/", timeout=PATIENCE) as answer:  # the server serves on
                assert answer.status == 200
                html = answer.read().decode()
            # the page asks nothing of anyone but this server (textual-serve's own asks Google for a font)
            fetched = re.findall(r"""(?:src=|href=|url\()["']?(https?://[^\s"')]+)""", html)
            assert fetched and [link for link in fetched if not link.startswith(url)] == []
            loaded = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
            assert loaded and [name for name in loaded if not name.startswith(url)] == []
            driver.get(url + "/")  # a new session, open while the server is stopped
            page.wait_for("prices")
            rest = descendants(served.process.pid)
            sessions = apps(rest, "demo --attach")
            assert sessions, alive(rest)
            served.process.send_signal(signal.SIGTERM)  # the server alone, as systemd stops it
            assert served.stop() == 0, served.output
        assert_all_ended(rest, sessions)
    finally:
        served.kill()
