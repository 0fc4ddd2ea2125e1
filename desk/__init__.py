"""desk: the operations desk and book of record of a mining-to-reserve operation."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("desk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
