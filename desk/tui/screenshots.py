"""`python -m desk.tui.screenshots OUTDIR`: every screen to SVG on deterministic seeded data."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path


async def render_all(outdir: Path) -> list[Path]:
    from desk.tui.app import create_app
    from desk.tui.seeddata import NOW, seed, write_settings

    outdir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before the app starts
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = write_settings(Path(tmp))
        path = await seed(settings)
        steps = {
            "dashboard": [],
            "register": ["r"],
            "entry-detail": ["r", "enter"],
            "transfer": ["t", *"assets:wallet:ops", "tab", *"assets:reserve:cold", "tab", *"BTC", "tab", *"0.1"],
            "approvals": ["p"],
            "help": ["question_mark"],
        }
        for name, keys in steps.items():
            app = create_app(settings, path, now=lambda: NOW, operators=["aliya", "bolat"])
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                await app.workers.wait_for_complete()
                for key in keys:
                    await pilot.press(key)
                    await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()
                target = outdir / f"{name}.svg"
                target.write_text(app.export_screenshot(title=f"desk {name}"))
                written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m desk.tui.screenshots OUTDIR", file=sys.stderr)
        return 2
    for path in asyncio.run(render_all(Path(args[0]))):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
