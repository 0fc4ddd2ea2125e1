"""Files desk writes for its operator: owner-only, whole or not at all.

Exports, reports, the transparency snapshot, the alert memory and the demo's config all hold
what the register holds (amounts, counterparties, who approved what) and are as private as
the register itself (mode 600). A file is written to a temporary file beside it (created
0600 whatever the umask) and renamed into place, so a reader never sees half of one and a
crash leaves the old one; folders desk creates on the way are 0700. Blocking: call these
through asyncio.to_thread from the event loop.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

FILE_MODE = 0o600
DIR_MODE = 0o700
#: What desk publishes on purpose (the transparency snapshot) is still written owner-only
#: and read-only; copying it to where the public reads it is the operator's act.
READ_ONLY = 0o400


def private_dir(path: Path) -> None:
    """Create `path` and every missing parent owner-only (mkdir -p would create the parents
    with the umask's permissions). Folders that exist are left as they are."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(folder, DIR_MODE)  # mkdir's mode is filtered by the umask; this is not


@contextmanager
def private_writer(path: Path, *, mode: int = FILE_MODE) -> Iterator[TextIO]:
    """A text handle whose content becomes `path` (mode `mode`) when the block ends
    without an error; on an error the temporary file is removed and `path` is untouched."""
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_private(path: Path, text: str, *, mode: int = FILE_MODE) -> Path:
    """Write `text` to `path` owner-only and atomically; return `path`."""
    with private_writer(path, mode=mode) as handle:
        handle.write(text)
    return path


def others_can_read(path: Path) -> bool:
    """Whether group or others have any access to `path`."""
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))
