"""`python -m tests.tui.screenshots OUTDIR` (`make screenshots`): every screen to SVG on
deterministic seeded data.

The register is seeded (tests/tui/seed.py), the clock fixed at seed.NOW, and the feeds given
the health `demo_feeds` describes, so the pictures change only when the screens do. It lives
with the tests, which drive the screens the same way, and is not shipped with desk.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

TRANSFER = ["t", *"assets:wallet:ops", "tab", *"assets:reserve:cold", "tab", *"BTC", "tab", *"0.1"]

#: name -> keys pressed after the dashboard is up
SCREENS: dict[str, list[str]] = {
    "dashboard": [],
    "dashboard-usd-1d": ["c", "w", "w"],
    "register": ["r"],
    "register-filtered": ["r", "slash", *"from:2026-11-10 to:2026-11-12", "enter", "v"],
    "entry-detail": ["r", "enter"],
    "transfer": TRANSFER,
    "approvals": [*TRANSFER, "ctrl+s", "p"],
    "feeds": ["f"],
    "help": ["question_mark"],
    "valuation": ["V"],
    "reserves": ["R"],
    "policy": ["P"],
    "seizure": ["S"],
    "purchase": ["B"],
}


async def render_all(outdir: Path, size: tuple[int, int] = (120, 40)) -> list[Path]:
    from desk.tui.app import create_app
    from tests.tui.pilot import settle
    from tests.tui.seed import NOW, demo_feeds, seed, write_settings

    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = write_settings(Path(tmp))
        path = await seed(settings)
        for name, keys in SCREENS.items():  # in this order: only "approvals" writes (a draft)
            app = create_app(settings, path, now=lambda: NOW, operators=["aliya", "bolat"])
            async with app.run_test(size=size) as pilot:
                app.feeds = demo_feeds(NOW)
                await settle(pilot)
                for key in keys:
                    await pilot.press(key)
                    await settle(pilot)  # the screen a key opens reads first (see tests.tui.pilot)
                app.clear_notifications()
                await pilot.pause()
                target = outdir / f"{name}.svg"
                target.write_text(app.export_screenshot(title=f"desk {name}"))
                written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m tests.tui.screenshots OUTDIR", file=sys.stderr)
        return 2
    for path in asyncio.run(render_all(Path(args[0]))):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
