"""Debian's chromium, headless, driven through its own chromedriver by selenium (no browser or
driver is downloaded: both are the system's, `make test` installs them), and the text the page
shows in its terminal.

textual-serve's page draws the app with xterm.js on a WebGL canvas, so the screen's text is
in no DOM node. It is in the terminal's buffer, which the page keeps in a closure: a script
run before the page's own catches the object that owns the terminal as it is built (the
moment it sets its `fitAddon`), so the test reads exactly the cells the browser shows."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.waiting import PATIENCE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

#: run in the page before its own scripts: keep the terminal's owner where the test can read it
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, 'fitAddon', {
  configurable: true,
  set(value) {
    window.__deskTerminal = this;
    Object.defineProperty(this, 'fitAddon', {value, writable: true, configurable: true, enumerable: true});
  },
});
"""
#: the terminal's visible rows as text, or null before the terminal exists
READ_SCREEN = """
const owner = window.__deskTerminal, term = owner && owner.terminal;
if (!term) return null;
const buffer = term.buffer.active, rows = [];
for (let y = 0; y < term.rows; y++) {
  const line = buffer.getLine(buffer.viewportY + y);
  rows.push(line ? line.translateToString(true) : '');
}
return rows.join('\\n');
"""


class Page:
    """A desk page in the browser: what its terminal shows, and keys typed into it."""

    def __init__(self, driver: webdriver.Chrome) -> None:
        self.driver = driver

    def screen(self) -> str:
        return self.driver.execute_script(READ_SCREEN) or ""

    def wait_for(self, *texts: str) -> str:
        """The screen once it shows every one of `texts` (failing with what it shows instead)."""
        try:
            WebDriverWait(self.driver, PATIENCE, poll_frequency=0.1).until(
                lambda _: all(text in self.screen() for text in texts)
            )
        except Exception as exc:
            raise AssertionError(f"the page never showed {texts}; it shows:\n{self.screen()}") from exc
        return self.screen()

    def press(self, keys: str) -> None:
        """Type into the terminal as a person would: xterm.js takes keys in a hidden textarea,
        given the focus here without a click (a click would reach the app as a mouse event)."""
        self.driver.execute_script("document.querySelector('textarea.xterm-helper-textarea').focus()")
        ActionChains(self.driver).send_keys(keys).perform()

    def shows_session_ended(self) -> bool:
        return "Session ended." in self.driver.find_element(By.TAG_NAME, "body").text

    def until(self, condition: Callable[[], object], what: str) -> None:
        """Return once `condition()` holds, polled while the page runs; fail naming `what`."""
        try:
            WebDriverWait(self.driver, PATIENCE, poll_frequency=0.1).until(lambda _: condition())
        except Exception as exc:
            raise AssertionError(f"timed out waiting for {what}; the page shows:\n{self.screen()}") from exc


@contextmanager
def chromium(profile: Path) -> Iterator[webdriver.Chrome]:
    """A headless chromium with a profile of its own in `profile`, quit on the way out."""
    assert Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists(), (
        "the browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver); "
        "make test installs them"
    )
    options = Options()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",  # root in a container has no user namespaces for the sandbox
        "--disable-dev-shm-usage",
        "--enable-unsafe-swiftshader",  # software WebGL, which xterm.js draws with, without a GPU
        "--window-size=1400,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CATCH_TERMINAL})
        yield driver
    finally:
        driver.quit()
