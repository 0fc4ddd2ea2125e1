"""The seeded register lives in desk.tui.seeddata (screenshots use it too)."""

from desk.tui.seeddata import BTC, NOW, T0, seed, write_settings

__all__ = ["BTC", "NOW", "T0", "seed", "write_settings"]
