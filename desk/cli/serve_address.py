"""Where `desk serve` listens: the address checked (loopback unless --public), bound before
anything else starts, and the URL a browser is sent to.

The sockets are bound here and handed to the web server as they are, so no other program can
take the port between the check and the listening (a check that closed its probe left that
gap), and `--port 0` means the port the kernel gives, which the printed URL then names."""

from __future__ import annotations

import errno
import ipaddress
import socket
from dataclasses import dataclass, field

#: the wildcard binds (every address of this machine; behind --public only)
WILDCARDS = ("0.0.0.0", "::")


class ServeError(Exception):
    """Why `desk serve` cannot listen as asked, in words for the operator."""


@dataclass
class Bound:
    """The sockets of one `--host`/`--port`, bound and listening (a browser that comes before
    the server is up waits in the queue), closed by `close` once the server is done with them.
    Listening at once makes the port this program's alone: another that binds it with
    SO_REUSEADDR, as aiohttp does, is refused too."""

    host: str
    port: int
    #: the addresses bound that are not loopback (allowed by --public; the warning names them)
    wide: list[str]
    sockets: list[socket.socket] = field(default_factory=list)

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()

    def __enter__(self) -> Bound:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def bind_address(host: str, port: int, *, public: bool) -> Bound:
    """Every address `host` stands for, bound on `port` (0: the one the kernel gives the first,
    and the same for the rest); refused if one is not loopback without `public`, or with a
    clear word on a bad host or a port in use."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise ServeError(f"--host {host!r}: no such host or address ({exc})") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    wide = [a for a in addresses if not ipaddress.ip_address(a.split("%")[0]).is_loopback]
    if wide and not public:
        raise ServeError(
            f"--host {host} ({', '.join(wide)}) is not a loopback address: anyone who reaches it acts as this "
            "desk's operator. Put a reverse proxy with authentication in front and pass --public to mean it."
        )
    bound = Bound(host, port, wide)
    try:
        for family, kind, proto, address in dict.fromkeys((i[0], i[1], i[2], i[4]) for i in infos):
            sock = socket.socket(family, kind, proto)
            bound.sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
            if family == socket.AF_INET6:  # "::" alongside "0.0.0.0" must not claim both
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind((address[0], bound.port, *address[2:]))
            except OSError as exc:
                raise ServeError(_bind_problem(host, bound.port, exc)) from None
            sock.listen()
            bound.port = int(sock.getsockname()[1])
    except BaseException:
        bound.close()
        raise
    return bound


def _bind_problem(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"{host}:{port} is already in use (another desk serve, or another server): choose another --port"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"--host {host} is not an address of this machine"
    if exc.errno == errno.EACCES:
        return f"port {port} needs privileges this user lacks: choose one above 1023"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


def public_url(host: str, port: int) -> str:
    """The URL the page tells the browser to open its websocket at: the host as given, or for a
    wildcard bind this machine's name (0.0.0.0 is no address a browser can reach)."""
    if host in WILDCARDS:
        host = socket.getfqdn()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"
