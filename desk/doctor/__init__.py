"""`desk doctor`: does this machine have what the configured desk needs, and if not, what to
do about it. Each check says what it found and the fix; none of them writes anything.

The checks: the configuration loads; the register is there, openable and private; hledger
runs (the exports are meant for it); the terminal is big enough and shows colours; the clock
agrees with the exchanges.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path

from desk.doctor.clock import check_clock
from desk.doctor.findings import Finding, Status
from desk.doctor.local import check_config, check_hledger, check_register
from desk.doctor.terminal import check_terminal

__all__ = ["Finding", "Status", "diagnose"]


async def diagnose(config_path: Path | None, env: Mapping[str, str], terminal: tuple[int, int] | None) -> list[Finding]:
    """Every check, in the order a person fixes things. `terminal` is the size of the
    terminal standard output is, or None when it is not one."""
    found, settings = check_config(config_path, env)
    if settings is None:
        found.append(Finding("register", "skip", "the configuration does not load, so the register is unknown"))
        found += await check_hledger()
        found += check_terminal(terminal, env)
        found.append(Finding("clock", "skip", "the configuration does not load, so the exchanges are unknown"))
        return found
    register, hledger, clock = await asyncio.gather(
        check_register(settings.register.path), check_hledger(), check_clock(settings)
    )
    return found + register + hledger + check_terminal(terminal, env) + clock
