"""The checks of this machine's own files and tools: the configuration, the register file
(there, openable, private) and hledger."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Mapping
from pathlib import Path

from desk.config import ConfigError, DeskSettings, load_settings, resolve_config_path, warnings_for
from desk.doctor.findings import Finding
from desk.register import probe_register

#: how long `hledger --version` may take before it counts as broken
HLEDGER_TIMEOUT_S = 10


def check_config(config_path: Path | None, env: Mapping[str, str]) -> tuple[list[Finding], DeskSettings | None]:
    """The configuration loads and validates; the settings, or None when it does not."""
    path = resolve_config_path(config_path, env)
    try:
        settings = load_settings(config_path, env=env)
    except ConfigError as exc:
        fix = "correct what each line names (config.example.toml documents every key), then `desk config check`"
        return [Finding("config", "fail", "\n".join(exc.problems), fix)], None
    pools = sum(1 for pool in settings.pools.values() if pool.enabled)
    prices = sum(1 for source in settings.prices.sources.values() if source.enabled)
    if path.exists():
        found = [Finding("config", "ok", f"{path}: valid; {pools} pools, {prices} price sources")]
    else:
        found = [
            Finding(
                "config",
                "warn",
                f"no config file at {path}: desk runs on its defaults ({pools} pools, {prices} price sources)",
                f"copy config.example.toml to {path} and fill it in (or try `desk demo`)",
            )
        ]
    found += [Finding("config", "note", note) for note in warnings_for(settings)]
    return found, settings


async def check_register(path: Path) -> list[Finding]:
    """The register file is there, is a desk register this desk can open, and is private."""
    probe = await asyncio.to_thread(probe_register, path)
    found = []
    if not probe.exists:
        fix = "`desk init` creates it and the accounts the config implies (or set [register] path)"
        found.append(Finding("register", "fail", f"{path}: no register here", fix))
    elif probe.problem is not None:
        fix = "point [register] path (or DESK_REGISTER__PATH) at the desk's register"
        found.append(Finding("register", "fail", probe.problem, None if "upgrade desk" in probe.problem else fix))
    else:
        detail = f"{path}: a desk register, schema {probe.schema_version}"
        if probe.migrations_due:
            detail += f" (brought up to date at its next open: {probe.migrations_due} step(s))"
        found.append(Finding("register", "ok", detail))
    if probe.exposed:
        files = " ".join(str(file) for file, _ in probe.exposed)
        modes = ", ".join(f"{file.name} {mode:o}" for file, mode in probe.exposed)
        found.append(
            Finding("privacy", "fail", f"group or others may read or write the book ({modes})", f"chmod 600 {files}")
        )
    elif probe.exists:
        found.append(Finding("privacy", "ok", "only its owner can read or write the register (mode 600)"))
    return found


async def check_hledger() -> list[Finding]:
    """hledger is on the PATH and runs: the exports are meant to be read (and checked) by it."""
    fix = "sudo apt-get install hledger (Debian, Ubuntu), or see hledger's install page"
    hledger = shutil.which("hledger")
    if hledger is None:
        detail = "not on the PATH: `desk export --format hledger` still writes journals, but nothing here can read them"
        return [Finding("hledger", "warn", detail, fix)]
    try:
        process = await asyncio.create_subprocess_exec(
            hledger, "--version", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
    except OSError as exc:
        return [Finding("hledger", "warn", f"{hledger} does not run ({exc.strerror})", fix)]
    try:
        output, _ = await asyncio.wait_for(process.communicate(), HLEDGER_TIMEOUT_S)
    except TimeoutError:
        process.kill()
        await process.wait()
        return [Finding("hledger", "warn", f"{hledger} --version gave no answer in {HLEDGER_TIMEOUT_S} s", fix)]
    if process.returncode != 0:
        return [Finding("hledger", "warn", f"{hledger} --version failed with exit {process.returncode}", fix)]
    version = output.decode(errors="replace").strip().splitlines()[0] if output.strip() else "hledger"
    return [Finding("hledger", "ok", f"{version} ({hledger})")]
