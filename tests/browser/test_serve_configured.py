"""`desk serve` on a configured desk (not the demo): the config's operator is the one every
browser session acts as, the register's sync runs in the server (one for all sessions, in the
lock file), a browser gets the desk's screen, and a SIGTERM leaves nothing running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.browser.browser import Page, chromium
from tests.browser.served import Served, alive, apps, assert_all_ended, descendants, refused_port
from tests.conftest import REPO
from tests.pgserver import PgCluster
from tests.waiting import PATIENCE


def test_the_configured_desk_is_served_as_its_operator_with_one_sync(tmp_path: Path) -> None:
    config = configured(tmp_path)
    served = Served("--config", str(config), "--port", "0")
    try:
        url = served.url()
        served.wait_for("every browser session acts as alice (the config's operator, as in the terminal)")
        sync = [p for p in descendants(served.process.pid) if " sync " in " ".join(alive({p}))]
        assert len(sync) == 1 and (tmp_path / "desk.sqlite.sync.lock").read_text() == str(sync[0][0])
        served.wait_for(f"the register's sync runs here (pid {sync[0][0]})")
        browse_as_alice_then_stop(served, url, config, tmp_path / "profile")
    finally:
        served.kill()


def test_a_desk_on_a_postgresql_register_is_served_with_its_one_sync(tmp_path: Path, pg_cluster: PgCluster) -> None:
    """Several desks share a register on PostgreSQL (issue 16); `desk serve` serves one of them
    (issue 17): the server's sync holds the register's claim on the server, and the page is
    that desk's screen."""
    config = tmp_path / "desk.toml"
    url = pg_cluster.url(pg_cluster.fresh_database())
    config.write_text(f'[register]\nurl = "{url}"\n\n[operator]\nname = "alice"\n')
    secret = {"DESK_REGISTER__PASSWORD": pg_cluster.password}
    init = [sys.executable, "-m", "desk", "--config", str(config), "init"]
    subprocess.run(init, cwd=REPO, check=True, env={**os.environ, **secret})
    served = Served("--config", str(config), "--port", "0", env=secret)
    try:
        address = served.url()
        sync = [p for p in descendants(served.process.pid) if " sync " in " ".join(alive({p}))]
        assert len(sync) == 1, served.output
        served.wait_for(f"the register's sync runs here (pid {sync[0][0]})")
        holder = pg_cluster.psql(
            "SELECT application_name FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid "
            "WHERE l.locktype = 'advisory' AND l.granted",
            database=url.rsplit("/", 1)[1],
        )
        assert f"desk sync pid {sync[0][0]} on " in holder
        browse_as_alice_then_stop(served, address, config, tmp_path / "profile")
    finally:
        served.kill()


def test_serve_names_an_unreachable_postgresql_register_and_starts_nothing(tmp_path: Path) -> None:
    config = tmp_path / "desk.toml"
    with refused_port() as nothing:
        config.write_text(f'[register]\nurl = "postgresql://desk@127.0.0.1:{nothing}/desk"\n[operator]\nname = "a"\n')
        done = subprocess.run(
            [sys.executable, "-m", "desk", "--config", str(config), "serve", "--port", "0"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
            timeout=PATIENCE,
        )
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith("desk serve: ") and "127.0.0.1" in done.stderr, done.stderr


def browse_as_alice_then_stop(served: Served, address: str, config: Path, profile: Path) -> None:
    """A browser at `address` gets the dashboard of this (empty) register as alice; a SIGTERM
    then stops the server, and nothing it started runs on."""
    with chromium(profile) as driver:
        driver.get(address + "/")
        page = Page(driver)
        page.wait_for("reserve", "latest activity")
        page.press("p")
        page.wait_for("operator: alice")
        processes = descendants(served.process.pid)
        sessions = apps(processes, f"desk --config {config} ")  # the screen: no command follows
        assert sessions, alive(processes)
        served.process.send_signal(signal.SIGTERM)
        assert served.stop() == 0, served.output
    assert_all_ended(processes, sessions)


def configured(tmp_path: Path) -> Path:
    """A config for operator alice on a register `desk init` created (no feeds)."""
    config = tmp_path / "desk.toml"
    config.write_text(f'[register]\npath = "{tmp_path / "desk.sqlite"}"\n\n[operator]\nname = "alice"\n')
    subprocess.run([sys.executable, "-m", "desk", "--config", str(config), "init"], cwd=REPO, check=True)
    return config


def test_a_register_synced_elsewhere_is_said_and_a_sync_that_dies_is_said(tmp_path: Path) -> None:
    config = configured(tmp_path)
    lock = tmp_path / "desk.sqlite.sync.lock"
    service = subprocess.Popen(
        [sys.executable, "-m", "desk", "--config", str(config), "sync", "--json", "--control"],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        until_true(lambda: lock.exists() and lock.read_text() == str(service.pid), "the service to take the lock")
        served = Served("--config", str(config), "--port", "0")
        try:
            served.url()
            served.wait_for(f"the register is synced elsewhere: another `desk sync` (pid {service.pid})")
            served.process.send_signal(signal.SIGTERM)
            assert served.stop() == 0, served.output
        finally:
            served.kill()
    finally:
        assert service.stdin is not None
        service.stdin.close()  # --control: the service stops when its input ends
        service.wait(PATIENCE)

    served = Served("--config", str(config), "--port", "0")
    try:
        served.wait_for("the register's sync runs here")
        own = int(lock.read_text())
        os.kill(own, signal.SIGKILL)
        served.wait_for(f"desk serve: the register's sync stopped (exit {-signal.SIGKILL})")
        served.process.send_signal(signal.SIGTERM)
        assert served.stop() == 0, served.output
    finally:
        served.kill()


def until_true(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
