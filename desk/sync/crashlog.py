"""Where `desk sync` keeps the tracebacks of unexpected errors: a file beside the register
(`<register>.crashes.log`, private to its owner, like the register), each under the id the
JSON log's `feed_crashed` line and the feed's reason name. The operator's terminal and the
JSON log stay one line per event; whoever fixes the bug finds the whole story by its id.

A register on a PostgreSQL server has no file beside it: the traceback is this machine's
process's, so its log is in this machine's data folder, named for the server and database."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from desk.config import APP_NAME, RegisterSettings


def crash_log_path(register: RegisterSettings) -> Path:
    url = register.effective_url
    if register.is_sqlite:
        file = Path(url.removeprefix("sqlite:///"))
        return file.with_name(file.name + ".crashes.log")
    server = urlsplit(url)
    name = f"{server.hostname}-{server.port or 5432}-{server.path.strip('/')}.crashes.log"
    return platformdirs.user_data_path(APP_NAME) / re.sub(r"[^A-Za-z0-9._-]", "_", name)


@contextmanager
def crash_log(register: RegisterSettings) -> Iterator[Path]:
    """Send the `desk.crash` logger (desk/feeds/crash.py) to the register's crash log while
    the block runs."""
    path = crash_log_path(register)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
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
