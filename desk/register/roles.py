"""The server-side roles of a register on PostgreSQL (`desk init --postgres`).

desk_writer may INSERT and SELECT the append-only tables (entries, postings, actions, drafts,
quotes, ...) and keep the maintained ones (balances, counters, sync marks), but never UPDATE
or DELETE history: the server refuses it even to a desk whose login is compromised.
desk_auditor may only read. The roles are NOLOGIN groups; a person's or a desk's login is made
a member (`GRANT desk_writer TO site_a`). An SQLite file has no roles: its owner's file mode
is what guards it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desk.register.backends.pg_schema import role_statements
from desk.register.errors import RegisterUnavailable

if TYPE_CHECKING:
    from desk.register.register import Register

ROLES = ("desk_writer", "desk_auditor")


async def create_roles(register: Register) -> tuple[str, ...]:
    """Create (or bring up to date) the roles on the register's database; return their names."""
    if register._db.dialect != "postgres" or register._where.backend != "postgres":
        raise RegisterUnavailable(
            f"{register.location}: roles are a PostgreSQL server's; an SQLite register is guarded by its file's "
            "mode. Set register.url = postgresql://... to use them"
        )
    async with register._db.write():
        for statement in role_statements(register._where.database):
            await register._db.execute(statement)
    return ROLES
