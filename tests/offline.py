"""No test looks up a host beyond this machine: names that are not local fail to resolve.

Tests talk to desk.sim servers, PostgreSQL and the browser on loopback. A desk configured with
a pool but no `base_url` takes the real API's (api.ocean.xyz …), and a screen that fetches
from it (the reconciliation screen) would call out from a machine with a network. On CI's
machine, and on this one, such a name does not resolve at all. Here it fails the same way
everywhere, with the same error (aiohttp's ClientConnectorDNSError), so a snapshot reads the
same on every machine and no test ever reaches a real service."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

#: the names a test may resolve: this machine's
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_local(host: object) -> bool:
    """Whether resolving `host` (a name or an address, str or bytes; None: any) stays on this
    machine: a local name, or an address written out (resolving one asks no one; a test may
    name another machine's address to see it refused, as `desk serve --host` does)."""
    if host is None:
        return True
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name.lower() in LOCAL_NAMES:
        return True
    try:
        ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False
    return True


def local_only(real: Any) -> Any:
    """`socket.getaddrinfo`, refusing every host that is not local (as a missing DNS would)."""

    def getaddrinfo(host: object, *args: Any, **kwargs: Any) -> Any:
        if not is_local(host):
            raise socket.gaierror(socket.EAI_NONAME, f"no network in tests: {host!r} is not resolved")
        return real(host, *args, **kwargs)

    return getaddrinfo
