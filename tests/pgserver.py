"""A throwaway PostgreSQL cluster for the tests: the register on a real server.

Once per pytest process (each xdist worker starts its own): `initdb` into a temp dir with
password authentication (the password in a 0600 file, so desk's password path is the one
exercised), `pg_ctl start` on a free loopback port, and `pg_ctl stop` at the end of the
session. PostgreSQL refuses to run as root, so under root the cluster runs as the `postgres`
system user (`runuser`). Each test gets a database of its own (`fresh_database`), so tests
stay independent. The server is never optional: without `initdb` the tests fail with the
command that installs it, they do not skip.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import pytest

#: The owner role of the test cluster (the superuser `initdb` creates).
OWNER = "desk"
#: Where Debian puts the server's programs (they are not always on the PATH).
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
_INSTALL = "apt-get install -y postgresql  (or: make system-packages)"


def pg_bin(name: str) -> str:
    """The path of a PostgreSQL program: on the PATH, else in Debian's versioned folder."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/").glob(PG_BIN_GLOB.lstrip("/")), reverse=True)
    for folder in candidates:
        if (folder / name).exists():
            return str(folder / name)
    pytest.fail(f"PostgreSQL's {name} is not installed; the register's tests run on a real server. Fix: {_INSTALL}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PgCluster:
    """A running cluster: where it listens, its owner role and that role's password file."""

    root: Path
    port: int
    password: str
    secrets_dir: Path
    _as_user: list[str]
    _names: Iterator[int]

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def url(self, database: str, user: str = OWNER) -> str:
        """A `register.url` for `database` (no password: desk reads it from the secrets dir)."""
        return f"postgresql://{user}@{self.host}:{self.port}/{database}"

    def admin_env(self, password: str | None = None) -> dict[str, str]:
        secret = password or self.password
        return {**os.environ, "PGPASSWORD": secret, "PGHOST": self.host, "PGPORT": str(self.port)}

    def psql(self, sql: str, database: str = "postgres", user: str = OWNER, password: str | None = None) -> str:
        """Run SQL as `user` (the owner unless told, with `password` when another) with psql;
        return its output."""
        done = subprocess.run(
            [pg_bin("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-U", user, "-d", database, "-c", sql],
            env=self.admin_env(password),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"psql as {user} on {database}: {done.stderr.strip()}")
        return done.stdout

    def fresh_database(self) -> str:
        """Create an empty database for one test; return its name."""
        name = f"t{os.getpid()}_{next(self._names)}"
        self.psql(f"CREATE DATABASE {name}")
        return name

    def stop(self) -> None:
        subprocess.run(
            [*self._as_user, pg_bin("pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster() -> PgCluster:
    """initdb and start a cluster in a temp dir as an unprivileged user; return it running."""
    initdb, pg_ctl = pg_bin("initdb"), pg_bin("pg_ctl")
    root = Path(tempfile.mkdtemp(prefix="desk-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail(f"PostgreSQL refuses root and there is no `postgres` user to run it as. Fix: {_INSTALL}")
        os.chown(root, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
        uid, gid = account.pw_uid, account.pw_gid
    else:
        uid, gid = os.getuid(), os.getgid()
    password = secrets.token_urlsafe(18)
    pwfile = root / "pwfile"
    pwfile.write_text(password + "\n")
    os.chown(pwfile, uid, gid)
    pwfile.chmod(0o600)
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    os.chown(sockets, uid, gid)
    init = subprocess.run(
        [*as_user, initdb, "-D", str(data), "-U", OWNER, "--auth=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8"],
        capture_output=True,
        text=True,
        check=False,
    )
    if init.returncode != 0:
        pytest.fail(f"initdb failed: {init.stderr.strip()[-2000:]}")
    pwfile.unlink()
    for _attempt in range(5):
        port = _free_port()
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        started = subprocess.run(
            [*as_user, pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"],
            capture_output=True,
            text=True,
            check=False,
        )
        if started.returncode == 0:
            break
    else:
        log = (root / "log").read_text(errors="replace")[-2000:] if (root / "log").exists() else ""
        pytest.fail(f"pg_ctl could not start the test cluster: {started.stderr.strip()} {log}")
    secrets_dir = root / "secrets"
    secrets_dir.mkdir(mode=0o700)
    (secrets_dir / "register__password").write_text(password + "\n")
    (secrets_dir / "register__password").chmod(0o600)
    return PgCluster(root, port, password, secrets_dir, as_user, count())


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One PostgreSQL cluster per test process, stopped and removed at the session's end."""
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()
