"""Where settings come from besides the TOML file, in precedence order: the environment
(`DESK_<SECTION>__<KEY>`), then a directory of secret files named like the variables.

`DeskSettings` asks for these sources; `load_settings` sets which environment and secrets
directory they read for the one load in progress (`LOAD_CONTEXT`), so tests and
`desk config check` can load from a given environment without touching os.environ.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource
from pydantic_settings.sources.utils import parse_env_vars

from desk.config.errors import ConfigError
from desk.config.schema.base import NESTED
from desk.config.secrets import ensure_private, read_secret

#: The environment and secrets directory of the `load_settings` call in progress.
LOAD_CONTEXT: ContextVar[tuple[Mapping[str, str], Path | None]] = ContextVar("desk_config_load")


def sources_in_order(
    settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource
) -> tuple[PydanticBaseSettingsSource, ...]:
    """Highest first: the environment, the secrets directory, then the TOML file's content
    (which arrives as init kwargs, see `load_settings`)."""
    env, secrets_dir = LOAD_CONTEXT.get((os.environ, None))
    return (
        MappingEnvSource(settings_cls, env),
        SecretsDirSource(settings_cls, secrets_dir),
        init_settings,
    )


class MappingEnvSource(EnvSettingsSource):
    """The stock environment source, reading a given mapping instead of os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        self._env = env
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._env, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str)

    def decode_complex_value(self, field_name: str, field: Any, value: Any) -> Any:
        """A list or table is written as JSON in a variable; text that is not JSON is left
        as text, so validation names the variable and what it expects (see `explain`)
        instead of failing the whole load."""
        try:
            return super().decode_complex_value(field_name, field, value)
        except ValueError:
            return value


class SecretsDirSource(PydanticBaseSettingsSource):
    """Secrets as files named like the environment variables, without the prefix.

    `pools__braiins__token` in the secrets directory sets `[pools.braiins] token`, the way
    Docker and systemd credentials hand secrets over. Files must not be readable by group
    or others.
    """

    def __init__(self, settings_cls: type[BaseSettings], directory: Path | None) -> None:
        super().__init__(settings_cls)
        self.directory = directory

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        if self.directory is None or not self.directory.is_dir():
            return {}
        data: dict[str, Any] = {}
        problems: list[str] = []
        for path in sorted(self.directory.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            try:
                ensure_private(path, what="secret file")
                value = read_secret(path)
            except ConfigError as exc:
                problems += exc.problems
                continue
            keys = path.name.lower().split(NESTED)
            node = data
            for key in keys[:-1]:
                node = node.setdefault(key, {})
            node[keys[-1]] = value
        if problems:
            raise ConfigError(problems)
        return data
