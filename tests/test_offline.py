"""The tests' own guard (tests/offline.py): a desk whose pool has no `base_url` asks the real
API's host, and a test must fail to reach it the same way on every machine."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from tests.offline import is_local


async def test_a_real_apis_host_is_not_resolved_in_a_test() -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectorDNSError, match="no network in tests"):
            await session.get("https://api.ocean.xyz/v1/statsnap/x")


def test_local_hosts_still_resolve() -> None:
    assert socket.getaddrinfo("127.0.0.1", 80)
    assert socket.getaddrinfo("localhost", 80)
    assert all(map(is_local, ["::1", "0.0.0.0", "::", b"127.0.0.1", None, "192.0.2.1"]))
    assert not any(map(is_local, ["api.ocean.xyz", "example.com", b"mempool.space"]))
