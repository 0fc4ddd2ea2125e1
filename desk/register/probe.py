"""Looking at a register file without changing it: is it there, is it a desk register this
desk can open, and can only its owner read it?

`Register.open` creates, migrates and writes; `desk doctor` must not, so it asks here.
"""

from __future__ import annotations

import sqlite3
import stat
from dataclasses import dataclass, field
from pathlib import Path

from desk.register.schema import SCHEMA_VERSION

#: the files SQLite keeps a WAL-mode register in
SUFFIXES = ("", "-wal", "-shm")


@dataclass(frozen=True, slots=True)
class RegisterProbe:
    path: Path
    exists: bool
    #: why this desk cannot open it (missing, not a register, newer schema), or None
    problem: str | None = None
    schema_version: int | None = None
    #: (file, permission bits) of every register file that group or others may use
    exposed: list[tuple[Path, int]] = field(default_factory=list)

    @property
    def migrations_due(self) -> int:
        """Schema steps the next `Register.open` applies (a newer desk than the file)."""
        return SCHEMA_VERSION - self.schema_version if self.schema_version is not None else 0


def probe_register(path: Path) -> RegisterProbe:
    """What state the register file at `path` is in. Blocking: run it in a thread."""
    try:
        return _probe(path)
    except OSError as exc:  # a folder on the way this user may not enter, a name too long ...
        return RegisterProbe(path, True, problem=f"{path}: cannot be read ({exc.strerror})")


def _probe(path: Path) -> RegisterProbe:
    if not path.exists():
        return RegisterProbe(path, False, problem=f"{path}: no register here; run `desk init` to create it")
    exposed = [(file, mode) for file, mode in _modes(path) if mode & 0o077]
    try:
        version, created_by = _read_meta(path)
    except sqlite3.DatabaseError as exc:
        return RegisterProbe(path, True, problem=f"{path}: not a desk register ({exc})", exposed=exposed)
    if created_by != "desk":
        return RegisterProbe(path, True, problem=f"{path}: this SQLite file is not a desk register", exposed=exposed)
    if version > SCHEMA_VERSION:
        problem = (
            f"{path}: register schema version {version} is newer than this desk understands "
            f"({SCHEMA_VERSION}); upgrade desk"
        )
        return RegisterProbe(path, True, problem=problem, schema_version=version, exposed=exposed)
    return RegisterProbe(path, True, schema_version=version, exposed=exposed)


def _modes(path: Path) -> list[tuple[Path, int]]:
    found = []
    for suffix in SUFFIXES:
        file = path.with_name(path.name + suffix)
        try:
            found.append((file, stat.S_IMODE(file.stat().st_mode)))
        except FileNotFoundError:
            continue
    return found


def _read_meta(path: Path) -> tuple[int, str | None]:
    # A read-only connection to a WAL file creates -wal and -shm (with the file's mode) and,
    # unable to checkpoint, leaves them behind. With no -wal the file holds everything, so
    # it is read as immutable: nothing created, nothing locked. With one (a writer has it
    # open, or a crash left it), read-only through the WAL, as any reader would.
    wal = path.with_name(path.name + "-wal")
    conn = sqlite3.connect(path.resolve().as_uri() + ("?mode=ro" if wal.exists() else "?immutable=1"), uri=True)
    try:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'created_by'").fetchone()
        except sqlite3.OperationalError:  # no meta table: some other SQLite file
            return version, None
        return version, row[0] if row else None
    finally:
        conn.close()
