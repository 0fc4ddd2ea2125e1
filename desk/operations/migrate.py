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

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr

from desk.register import CopyReport, Register, RegisterUnavailable, VerifyResult
from desk.register.backends import where
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


@dataclass(frozen=True, slots=True)
class Place:
    """One end of the copy as `Register.open` takes it: its URL, and the server's password
    (from the secrets dir or the environment, as the configured register's; None: asyncpg
    looks for PGPASSWORD or ~/.pgpass)."""

    effective_url: str
    password: SecretStr | None = None
    #: what `RegisterPlace` asks for; a PostgreSQL register has no file
    path: Path = field(default_factory=Path)


def place(url: str, password: SecretStr | None = None) -> Path | Place:
    """The register `url` names: `sqlite:///path` or a plain path (the file), or
    `postgresql://user@host:port/db` (refused, with the reason, when it is none of these or
    holds a password)."""
    found = where(url)
    if found.backend == "sqlite":
        assert found.path is not None
        return found.path.resolve()
    return Place(url, password)


async def migrate(
    source_url: str,
    target_url: str,
    *,
    batch: int = BATCH,
    progress: CopyProgress | None = None,
    password: SecretStr | None = None,
) -> Migration:
    """Copy the register at `source_url` into the empty (or new) one at `target_url`;
    `password` is the PostgreSQL server's (either end's)."""
    source_place, target_place = place(source_url, password), place(target_url, password)
    if _same(source_place, target_place):
        raise RegisterUnavailable(f"--from and --to name the same register ({source_url}): nothing to copy")
    async with (
        Register.open(source_place, operator=OPERATOR) as source,
        Register.open(target_place, operator=OPERATOR, create=True) as target,
    ):
        report = await source.copy_to(target, batch=batch, progress=progress)
        broken_source = await source.verify() if report.verified is not None and not report.verified.ok else None
    return Migration(report, broken_source)


def _same(a: Path | Place, b: Path | Place) -> bool:
    if isinstance(a, Path) or isinstance(b, Path):
        return a == b
    first, second = where(a.effective_url), where(b.effective_url)
    return (first.host, first.port, first.database) == (second.host, second.port, second.database)
