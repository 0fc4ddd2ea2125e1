"""Loading the configuration: which file, its TOML, and the precedence over it.

Precedence, highest first (documented in the README, as a service under cron or systemd
expects): environment variables `DESK_<SECTION>__<KEY>`, then secret files, then the TOML
file, then defaults. Every problem is reported at once, one line each, naming where it came
from (see `explain`).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import ValidationError
from pydantic_settings.exceptions import SettingsError

from desk.config.errors import ConfigError
from desk.config.explain import explain
from desk.config.schema.base import APP_NAME
from desk.config.schema.settings import DeskSettings
from desk.config.secrets import ensure_private, holds_secret
from desk.config.sources import LOAD_CONTEXT


def default_config_path() -> Path:
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def default_secrets_dir() -> Path:
    return platformdirs.user_config_path(APP_NAME) / "secrets"


def resolve_config_path(explicit: Path | None, env: Mapping[str, str]) -> Path:
    """`--config PATH`, else `$DESK_CONFIG`, else the platform config dir."""
    if explicit is not None:
        return explicit.expanduser()
    if env.get("DESK_CONFIG"):
        return Path(env["DESK_CONFIG"]).expanduser()
    return default_config_path()


def read_toml(path: Path) -> dict[str, Any]:
    """Read the config file; a missing default file is an empty config, a bad one an error."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([f"{path}: no such config file (copy config.example.toml there to start)"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read: {exc.strerror}"]) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError([f"{path}: not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    register = data.get("register")
    if isinstance(register, dict) and "password" in register:
        raise ConfigError(
            [
                f"{path}: [register] password: the register's password is never kept in the config file; "
                "put it in the secrets dir (file register__password) or DESK_REGISTER__PASSWORD"
            ]
        )
    if holds_secret(data):
        ensure_private(path, what="config file")
    return data


def load_settings(
    config_path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    secrets_dir: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> DeskSettings:
    """Load and validate the configuration, or raise ConfigError listing every problem.

    A config file named explicitly (flag or `$DESK_CONFIG`) must exist; the default one
    may be absent, and then defaults and environment apply.
    """
    env = os.environ if env is None else env
    explicit = config_path is not None or bool(env.get("DESK_CONFIG"))
    path = resolve_config_path(config_path, env)
    data: dict[str, Any] = {}
    if explicit or path.exists():
        data = read_toml(path)
    if overrides:
        data = _deep_merge(data, overrides)
    if secrets_dir is None and env.get("DESK_SECRETS_DIR"):
        secrets_dir = Path(env["DESK_SECRETS_DIR"])
    if secrets_dir is None:
        secrets_dir = default_secrets_dir()
    token = LOAD_CONTEXT.set((env, secrets_dir))
    try:
        return DeskSettings(**data)
    except ValidationError as exc:
        raise ConfigError(explain(exc, path, env, secrets_dir)) from None
    except SettingsError as exc:  # a source that could not be read at all
        cause = f" ({exc.__cause__})" if exc.__cause__ else ""
        raise ConfigError([f"environment or secrets: {exc}{cause}"]) from None
    finally:
        LOAD_CONTEXT.reset(token)


def _deep_merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
