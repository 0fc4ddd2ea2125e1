"""`desk serve` refuses, before anything starts, what it cannot or should not serve: an
address beyond this machine without --public, a host that does not resolve, a port in use or
out of range, a configured desk with no register. Each refusal is one line naming the
problem and the way out."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from desk.cli import main
from desk.cli.exit_codes import ExitCode
from desk.cli.serve_address import bind_address, public_url


def test_an_address_beyond_this_machine_needs_public_and_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--demo", "--host", "0.0.0.0", "--port", "0"]) == ExitCode.CONFIG
    err = capsys.readouterr().err
    assert err.startswith("desk serve: --host 0.0.0.0 (0.0.0.0) is not a loopback address")
    assert "reverse proxy with authentication" in err and "--public" in err


def test_loopback_names_pass_and_a_wildcard_passes_with_public() -> None:
    with bind_address("127.0.0.1", 0, public=False) as bound:
        assert bound.wide == [] and bound.port != 0
    with bind_address("localhost", 0, public=False) as bound:  # 127.0.0.1 and ::1 alike, on one port
        assert bound.wide == [] and {s.getsockname()[1] for s in bound.sockets} == {bound.port}
    with bind_address("0.0.0.0", 0, public=True) as bound:
        assert bound.wide == ["0.0.0.0"]


def test_the_port_is_held_from_the_check_to_the_listening() -> None:
    """Bound once and handed to the server: no other program can take it in between."""
    with bind_address("127.0.0.1", 0, public=False) as bound, socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as another desk serve binds
        with pytest.raises(OSError, match="in use"):
            other.bind(("127.0.0.1", bound.port))
    assert all(s.fileno() == -1 for s in bound.sockets)  # and let go when serving ends


def test_a_host_that_does_not_resolve_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--demo", "--host", "no-such-host.invalid"]) == ExitCode.CONFIG
    assert capsys.readouterr().err.startswith("desk serve: --host 'no-such-host.invalid': no such host or address")


def test_an_address_of_another_machine_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--demo", "--host", "192.0.2.1", "--public"]) == ExitCode.CONFIG
    assert capsys.readouterr().err == "desk serve: --host 192.0.2.1 is not an address of this machine\n"


def test_a_port_in_use_is_said_before_anything_starts(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--demo", "--port", str(port)]) == ExitCode.CONFIG
    err = capsys.readouterr().err
    assert (
        err == f"desk serve: 127.0.0.1:{port} is already in use (another desk serve, or another server): "
        "choose another --port\n"
    )


@pytest.mark.parametrize(
    ("port", "why"), [("-1", "-1 is not a port"), ("70000", "70000 is not a port"), ("x", "not a port")]
)
def test_a_port_out_of_range_is_a_usage_error(port: str, why: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--port", port])
    assert exit_.value.code == 2
    assert why in capsys.readouterr().err


def test_the_configured_desk_needs_its_register(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "desk.toml"
    config.write_text(f'[register]\npath = "{tmp_path / "none.sqlite"}"\n')
    assert main(["--config", str(config), "serve"]) == ExitCode.REGISTER
    assert capsys.readouterr().err == (
        f"desk serve: {tmp_path / 'none.sqlite'}: no register here; run `desk init` to create it\n"
    )  # the register's own words, as every other command says it


def test_the_page_is_sent_to_an_address_a_browser_can_reach() -> None:
    assert public_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert public_url("::1", 8000) == "http://[::1]:8000"
    assert public_url("0.0.0.0", 8000) == f"http://{socket.getfqdn()}:8000"  # not 0.0.0.0
