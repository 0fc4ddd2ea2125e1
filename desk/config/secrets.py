"""Secrets: the files that hold them (private to their owner, as ssh insists for keys),
the keys that are secret wherever they sit, and the configuration printed with them masked."""

from __future__ import annotations

import stat
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr

from desk.config.errors import ConfigError

#: Keys whose values are secrets in any section: never echoed, and a file holding one is private.
SECRET_KEYS = frozenset({"token", "password"})


def holds_secret(data: Any) -> bool:
    """Whether the parsed TOML holds a secret anywhere (then the file must be private)."""
    if isinstance(data, Mapping):
        return any((k in SECRET_KEYS and v) or holds_secret(v) for k, v in data.items())
    return False


def read_secret(path: Path) -> str:
    """A secret file's text, stripped; a file that cannot be read or is not UTF-8 is named
    (its content never is)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError([f"{path}: secret file cannot be read: {exc.strerror}"]) from None
    try:
        return raw.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [f"{path}: secret file is not UTF-8 text (byte {exc.start + 1}); save it as plain UTF-8 text"]
        ) from None


def ensure_private(path: Path, *, what: str) -> None:
    """Refuse a credentials file that group or others can read, as ssh does with keys."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            [
                f"{path}: {what} is readable by group or others (mode {stat.S_IMODE(mode):o}); "
                f"it holds credentials, so desk refuses it. Fix: chmod 600 {path}"
            ]
        )


def masked(settings: BaseModel) -> dict[str, Any]:
    """The effective configuration as plain data with every secret replaced by ********."""

    def walk(value: Any) -> Any:
        if isinstance(value, SecretStr):
            return "********"
        if isinstance(value, BaseModel):
            return {k: walk(getattr(value, k)) for k in type(value).model_fields}
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, Path):
            return str(value)
        if isinstance(value, Decimal):
            return str(value)
        return value

    return walk(settings)
