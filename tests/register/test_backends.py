"""The same register on both backends: byte-identical chains for the same acts, PostgreSQL's
migrations by version, its roles refusing to rewrite history, and `register.url` in config."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from desk.config import ConfigError, DeskSettings, load_settings
from desk.register import PageFilter, Quote, Register, RegisterUnavailable
from desk.valuation import fifo
from desk.valuation.prices import PricePolicy
from desk.valuation.receipt import value_inflows
from tests.builders import desk_config, write_desk_config
from tests.pgserver import PgCluster
from tests.register.conftest import T0, earning, payout, transfer
from tests.register.rawdb import RawDb, Refused
from tests.waiting import until

CONFIG = desk_config()


def on(backend: str, folder: Path, cluster: PgCluster, env: dict[str, str] | None = None) -> DeskSettings:
    """Settings of a fresh register on `backend` (PostgreSQL: a new database of the cluster)."""
    folder.mkdir(exist_ok=True)
    config = write_desk_config(folder, CONFIG)
    if backend == "sqlite":
        return load_settings(config, env={})
    url = cluster.url(cluster.fresh_database())
    return load_settings(config, env={"DESK_REGISTER__URL": url, **(env or {})}, secrets_dir=cluster.secrets_dir)


async def the_same_acts(settings: DeskSettings) -> tuple[object, ...]:
    """One sequence of everything that is chained; return what it leaves: heads, checkpoint,
    the actions log and what verify recomputes."""
    clock = iter(T0 + timedelta(days=3, seconds=s) for s in range(10_000))
    async with Register.open(settings.register, operator="aliya", create=True, clock=lambda: next(clock)) as reg:
        await reg.init_accounts(settings)
        await reg.record_quotes([Quote("BTC", "USD", Decimal("97000.5"), "kraken", T0, T0)])
        await reg.ingest([earning(i) for i in range(30)])
        await reg.ingest([payout(1, "0.2", status="queued"), payout(2, "0.1", tx="ab" * 32)])
        await reg.ingest([payout(1, "0.2", status="confirmed", tx="cd" * 32)])  # an amendment
        approved = await reg.draft(transfer("0.15"))
        rejected = await reg.draft(transfer("0.01"))
        reg.act_as("bolat")
        await reg.approve(approved)
        await reg.reject(rejected, "wrong wallet")
        reg.act_as("aliya")
        policy = PricePolicy.from_settings(settings)
        await value_inflows(reg, policy)
        lots = await fifo.advance(reg, policy)
        await reg.record_sync("pool:f2main", at=T0, ok=True, written=30, state="ok", reason=None)
        await reg.record_pool_days("f2main", [(T0.date(), Decimal("1.5e15"), "day", "pool")], {T0.date(): 2})
        point = await reg.checkpoint()
        result = await reg.verify(against=point)
        assert result.ok, result.problems
        assert await fifo.check(reg, policy) == []
        since, until = T0 - timedelta(days=1), T0 + timedelta(days=30)
        return (
            await reg.head(),
            str(point),
            await reg.actions(100),
            result.head_hash,
            await reg.balances(),
            await reg.balances(at=T0.date()),
            await reg.count(),
            await reg.period_credits(since, until, credited="income:", into="assets:"),
            await reg.moves(["assets:wallet:ops", "assets:reserve:cold"], since, until),
            await reg.flows("income:mining:", since, until),
            await reg.flows("income:mining:", since, until, hourly=True),
            await fifo.held(reg, policy, until, "assets:"),
            lots.replayed,
            await reg.sync_state(),
            await reg.pool_days(T0.date(), T0.date()),
            [e.seq for e in await reg.page(PageFilter(text="payout"))],
        )


async def test_the_same_acts_leave_byte_identical_chains_on_both(tmp_path: Path, pg_cluster: PgCluster) -> None:
    on_sqlite = await the_same_acts(on("sqlite", tmp_path / "a", pg_cluster))
    on_postgres = await the_same_acts(on("postgres", tmp_path / "b", pg_cluster))
    assert on_sqlite[0] == on_postgres[0]  # the entries' head: seq and hash
    assert on_sqlite[1] == on_postgres[1]  # the checkpoint line, every head in it
    for i, (a, b) in enumerate(zip(on_sqlite, on_postgres, strict=True)):
        assert a == b, f"item {i} differs between the backends"


async def test_a_postgres_register_migrates_once_and_refuses_what_it_is_not(
    tmp_path: Path, pg_cluster: PgCluster
) -> None:
    settings = on("postgres", tmp_path, pg_cluster)
    with pytest.raises(RegisterUnavailable, match="run `desk init`"):
        async with Register.open(settings.register, operator="aliya"):
            pass
    async with Register.open(settings.register, operator="aliya", create=True) as reg:
        await reg.init_accounts(settings)
    raw = RawDb("postgres", tmp_path, settings.register.effective_url, pg_cluster)
    assert raw.query("SELECT value FROM meta WHERE key = 'schema_version'") == [["13"]]
    async with Register.open(settings.register, operator="aliya") as reg:  # a second open changes nothing
        assert await reg.count() == 0
    raw.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(RegisterUnavailable, match="version 99 is newer"):
        async with Register.open(settings.register, operator="aliya"):
            pass
    other = on("postgres", tmp_path, pg_cluster)
    RawDb("postgres", tmp_path, other.register.effective_url, pg_cluster).execute(
        "CREATE TABLE meta (key TEXT, value TEXT)"
    )
    with pytest.raises(RegisterUnavailable, match="not a desk register"):
        async with Register.open(other.register, operator="aliya"):
            pass


async def test_as_desk_writer_the_server_refuses_to_rewrite_history(tmp_path: Path, pg_cluster: PgCluster) -> None:
    """`create_roles` (what `desk init --postgres` runs): a login granted desk_writer works a
    normal day (ingest, draft, checkpoint) but UPDATE and DELETE on the history are refused by
    the server itself, triggers aside; desk_auditor reads only."""
    owner = on("postgres", tmp_path, pg_cluster)
    async with Register.open(owner.register, operator="aliya", create=True) as reg:
        await reg.init_accounts(owner)
        assert await reg.create_roles() == ("desk_writer", "desk_auditor")
        assert await reg.create_roles() == ("desk_writer", "desk_auditor")  # idempotent
    raw = RawDb("postgres", tmp_path, owner.register.effective_url, pg_cluster)
    for login, role in (("site_a", "desk_writer"), ("audit", "desk_auditor")):
        raw.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{login}') THEN "
            f"CREATE ROLE {login} LOGIN PASSWORD 'pw-{login}'; END IF; END $$"
        )
        raw.execute(f"GRANT {role} TO {login}")
    url = owner.register.effective_url.replace("//desk@", "//site_a@")
    writer = load_settings(
        tmp_path / "desk.toml", env={"DESK_REGISTER__URL": url, "DESK_REGISTER__PASSWORD": "pw-site_a"}
    )
    async with Register.open(writer.register, operator="site-a") as reg:
        await reg.ingest([earning(i) for i in range(5)])
        await reg.draft(transfer("0.01"))
        await reg.checkpoint()
        assert (await reg.verify()).ok
    for sql in (
        "UPDATE entries SET memo = 'x' WHERE seq = 3",
        "DELETE FROM entries WHERE seq = 3",
        "UPDATE postings SET units = 1",
        "DELETE FROM actions",
        "TRUNCATE entries CASCADE",
    ):
        with pytest.raises(Refused, match="permission denied"):
            raw.execute(sql, user="site_a", password="pw-site_a")
    assert raw.query("SELECT count(*) FROM entries", user="audit", password="pw-audit") == [["5"]]
    with pytest.raises(Refused, match="permission denied"):
        raw.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')", user="audit", password="pw-audit")


def test_register_url_and_its_password_come_from_the_environment_or_secrets_never_the_file(tmp_path: Path) -> None:
    config = write_desk_config(tmp_path, CONFIG)
    settings = load_settings(config, env={})
    assert settings.register.effective_url == f"sqlite:///{tmp_path / 'register.sqlite'}"
    assert settings.register.is_sqlite
    with pytest.raises(ConfigError, match="password in it is refused"):
        load_settings(config, env={"DESK_REGISTER__URL": "postgresql://desk:hunter2@db:5432/desk"})
    config.write_text(config.read_text() + 'password = "hunter2"\n')
    with pytest.raises(ConfigError, match=r"\[register\] password: .* never kept in the config file"):
        load_settings(config, env={})
    with pytest.raises(ConfigError, match="expected sqlite:///path or postgresql://"):
        load_settings(write_desk_config(tmp_path, CONFIG), env={"DESK_REGISTER__URL": "mysql://db/desk"})


@pytest.mark.sqlite_only
async def test_a_sqlite_register_has_no_roles(register: Register) -> None:
    """SQLite only: it is the SQLite register's refusal that is tested."""
    with pytest.raises(RegisterUnavailable, match="roles are a PostgreSQL server's"):
        await register.create_roles()


async def test_a_writer_waits_for_another_desk_and_retries_without_an_error(
    tmp_path: Path, pg_cluster: PgCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another desk holds the append lock (a long transaction): this desk's write waits,
    lets go and retries every LOCK_WAIT, and lands once the other commits; no error."""
    import asyncio

    import asyncpg

    from desk.register.backends import postgres

    monkeypatch.setattr(postgres, "LOCK_WAIT", "20ms")
    settings = on("postgres", tmp_path, pg_cluster)
    async with Register.open(settings.register, operator="aliya", create=True) as reg:
        await reg.init_accounts(settings)
        other = await asyncpg.connect(
            host=pg_cluster.host, port=pg_cluster.port, user="desk", password=pg_cluster.password,
            database=settings.register.effective_url.rsplit("/", 1)[1],
        )  # fmt: skip
        try:

            async def given_up() -> int:
                """Transactions rolled back in the database: each attempt that gave up."""
                await other.execute("SELECT pg_stat_clear_snapshot()")
                return await other.fetchval(
                    "SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()"
                )

            before = await given_up()
            holding = other.transaction()
            await holding.start()
            await other.execute("SELECT pg_advisory_xact_lock($1)", postgres.WRITE_LOCK)
            writing = asyncio.ensure_future(reg.ingest([earning(1)]))

            async def retried() -> bool:
                return await given_up() >= before + 3

            await until(retried, "the writer giving up on the lock and asking again, three times")
            assert not writing.done()
            await holding.commit()
            assert (await writing).new == 1
        finally:
            await other.close()
        assert await reg.count() == 1
