"""Moving a register to another backend (`desk migrate --from URL --to URL`): one desk's
SQLite file onto the PostgreSQL server several desks share, or back to a file.

The copy itself is the register's (`Register.copy_to`: chains byte for byte, one write
transaction on the target, verified against the source's heads); this module opens the two
ends from their URLs and decides what a failed verify means. What a failure leaves:

- refused (the target is not empty, the same register named twice): nothing written;
- the copy failed (an error, a mismatch of heads): rolled back, the target is still empty:
  run the same command again once the cause is fixed;
- the copy committed but the target does not verify: the source is verified too, so the
  report says whether the source was already broken (copied faithfully) or the copy is
  wrong; the target is left for inspection — delete it (the file, or drop the database)
  before running again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from desk.register import CopyReport, Register, RegisterUnavailable, VerifyResult
from desk.register.copying import BATCH, CopyProgress

#: Who the two ends are opened as: the copy signs nothing, so this name is never recorded.
OPERATOR = "desk-migrate"


@dataclass(frozen=True, slots=True)
class Migration:
    """What `migrate` did: the copy's report, and the source's verify when the target's failed."""

    report: CopyReport
    source_verified: VerifyResult | None = None

    @property
    def ok(self) -> bool:
        return self.report.verified is not None and self.report.verified.ok


def sqlite_path(url: str) -> Path | None:
    """The file a `sqlite:///path` URL (or a plain path) names; None for another scheme."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        if parts.netloc:
            raise RegisterUnavailable(
                f"{url}: a SQLite URL names a file on this machine: sqlite:///absolute/path or sqlite:relative/path"
            )
        return Path(unquote(parts.path))
    if parts.scheme in ("", "file"):
        return Path(unquote(parts.path))
    return None


@asynccontextmanager
async def open_url(url: str, *, create: bool) -> AsyncIterator[Register]:
    """The register `url` names (sqlite:///path, a plain path, or postgresql://…)."""
    path = sqlite_path(url)
    if path is None:
        raise RegisterUnavailable(f"{url}: desk migrate knows sqlite:///path URLs (and plain paths)")
    async with Register.open(path, operator=OPERATOR, create=create) as register:
        yield register


async def migrate(
    source_url: str, target_url: str, *, batch: int = BATCH, progress: CopyProgress | None = None
) -> Migration:
    """Copy the register at `source_url` into the empty (or new) one at `target_url`."""
    if _same(source_url, target_url):
        raise RegisterUnavailable(f"--from and --to name the same register ({source_url}): nothing to copy")
    async with open_url(source_url, create=False) as source, open_url(target_url, create=True) as target:
        report = await source.copy_to(target, batch=batch, progress=progress)
        broken_source = await source.verify() if report.verified is not None and not report.verified.ok else None
    return Migration(report, broken_source)


def _same(a: str, b: str) -> bool:
    first, second = sqlite_path(a), sqlite_path(b)
    if first is not None and second is not None:
        return first.resolve() == second.resolve()
    return a == b
