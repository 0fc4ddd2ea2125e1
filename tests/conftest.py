"""Fixtures every test folder shares: an isolated home for config and data."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.offline import local_only

# The throwaway PostgreSQL cluster (tests/pgserver.py), one per test process.
from tests.pgserver import pg_cluster  # noqa: F401

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(name="backend")
def backend(request: pytest.FixtureRequest) -> str:
    """The register's backend for a test: "sqlite" unless a folder's conftest runs its tests
    on both (tests/builders.py `parametrize_backends`)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the real user's config or data: XDG dirs point into tmp."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(home / "documents"))  # reports and exports (desk.operations.reports)
    for name in list(__import__("os").environ):
        if name.startswith("DESK_"):
            monkeypatch.delenv(name)
    return home


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only local names resolve in a test (tests/offline.py): nothing reaches a real API."""
    monkeypatch.setattr(socket, "getaddrinfo", local_only(socket.getaddrinfo))
