"""Configuration problems in words for the person who fixes them: for each validation error,
where it came from (the file, the variable or the secret file), the key path, what is wrong
and what is allowed, never a secret's value; and the notes on a configuration that loads but
will not work yet."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from desk.config.schema.base import ENV_PREFIX, NESTED
from desk.config.schema.settings import DeskSettings
from desk.config.secrets import SECRET_KEYS

_CONTAINER_ERRORS = frozenset({"list_type", "dict_type", "model_type", "model_attributes_type"})


def explain(exc: ValidationError, path: Path, env: Mapping[str, str], secrets_dir: Path | None) -> list[str]:
    """One line per problem: where it came from, the key path, what is wrong, what is allowed."""
    lines = []
    for error in exc.errors(include_url=False):
        loc = [str(part) for part in error["loc"] if not str(part).startswith("function-")]
        # pydantic appends the validator kind for union/literal members; keep the key path only
        loc = [part for part in loc if part not in {"str", "constrained-str", "int"}]
        key = ".".join(loc) or "(top level)"
        origin = _origin(loc, path, env, secrets_dir)
        problem = _describe(error, secret=bool(SECRET_KEYS & set(loc)))
        if origin.startswith("environment ") and error["type"] in _CONTAINER_ERRORS:
            problem += '; in the environment a list or table is written as JSON, e.g. ["ops", "hot"]'

        if error["type"] == "extra_forbidden":
            allowed = _allowed_keys(loc[:-1])
            if allowed:
                problem += f"; allowed here: {', '.join(allowed)}"
        lines.append(f"{origin}: {key}: {problem}")
    return lines


def _allowed_keys(parent: list[str]) -> list[str]:
    """The keys a section accepts, walking the models down `parent` (dict keys skipped)."""
    model: Any = DeskSettings
    for part in parent:
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            continue  # a user-chosen name such as a pool's: the next part is inside it
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        model = args[-1] if args and isinstance(args[-1], type) else annotation
    return sorted(getattr(model, "model_fields", {}))


def _origin(loc: list[str], path: Path, env: Mapping[str, str], secrets_dir: Path | None) -> str:
    for depth in range(len(loc), 0, -1):
        name = ENV_PREFIX + NESTED.join(loc[:depth]).upper()
        if any(k.upper() == name for k in env):
            return f"environment {name}"
        if secrets_dir is not None:
            candidate = secrets_dir / NESTED.join(loc[:depth]).lower()
            if candidate.is_file():
                return str(candidate)
    return str(path)


def _describe(error: Mapping[str, Any], *, secret: bool = False) -> str:
    """What is wrong, for a person; the value given is shown unless it is a secret (a token
    typed as a number is still a token)."""
    kind = error["type"]
    given = error.get("input")
    if kind == "extra_forbidden":
        return "unknown key (check the spelling against config.example.toml)"
    if kind == "missing":
        return "required key is missing"
    message = str(error["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if secret:
        return f"{message} (the value is a secret and is not shown; write it as quoted text)"
    if isinstance(given, (str, int, Decimal)) and not isinstance(given, bool) and kind != "value_error":
        return f"{message} (got {given!r})"
    return message


def warnings_for(settings: DeskSettings) -> list[str]:
    """Things that load but will not work yet, e.g. a pool without its token."""
    notes = []
    if not settings.roles:
        notes.append(
            "roles: none configured, so every operator is maker, checker and admin (the maker still never "
            "approves their own draft); list operators under [roles] to enforce roles"
        )
    for name, pool in settings.pools.items():
        if pool.enabled and pool.needs_token:
            notes.append(
                f"pools.{name}: no token yet; the feed stays down until one is set "
                f"(secret file pools__{name}__token or DESK_POOLS__{name.upper()}__TOKEN)"
            )
    return notes
