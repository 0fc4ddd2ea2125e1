"""Reading a file a person named on the command line: a missing, unreadable or non-UTF-8
file is a refusal naming the file and the flag, never a traceback."""

from __future__ import annotations

from pathlib import Path

from desk.register import EntryRejected

#: A file given for a one-line value (a checkpoint, a note) is small; more is a mistake.
MAX_BYTES = 1 << 20


def read_text_file(path: Path, flag: str) -> str:
    """The text of `path` (blocking: call through asyncio.to_thread)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise EntryRejected(f"{flag}: no such file {path}") from None
    except OSError as exc:
        raise EntryRejected(f"{flag}: cannot read {path}: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise EntryRejected(f"{flag}: {path} is larger than {MAX_BYTES:,} bytes; expected one line")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EntryRejected(f"{flag}: {path} is not UTF-8 text (byte {exc.start + 1})") from None
