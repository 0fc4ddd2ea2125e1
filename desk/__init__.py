"""desk: the operations desk and book of record of a mining-to-reserve operation."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """`desk.__version__`, read from the installed package's metadata only when asked for:
    importlib.metadata costs every command tens of milliseconds at start otherwise."""
    if name != "__version__":
        raise AttributeError(f"module 'desk' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("desk")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+source"
