"""Where `desk sync` keeps the tracebacks of unexpected errors: a file beside the register
(`<register>.crashes.log`, private to its owner, like the register), each under the id the
JSON log's `feed_crashed` line and the feed's reason name. The operator's terminal and the
JSON log stay one line per event; whoever fixes the bug finds the whole story by its id."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def crash_log_path(register: Path) -> Path:
    return register.with_name(register.name + ".crashes.log")


@contextmanager
def crash_log(register: Path) -> Iterator[Path]:
    """Send the `desk.crash` logger (desk/feeds/crash.py) to the register's crash log while
    the block runs."""
    path = crash_log_path(register)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger = logging.getLogger("desk.crash")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield path
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
        handler.close()
