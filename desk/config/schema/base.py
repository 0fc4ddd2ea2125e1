"""What every section of the configuration is built from: a frozen model that refuses
unknown keys, and the shapes of the values more than one section takes (names, base URLs)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from desk.names import NAME_PATTERN

#: The application's name for the platform's config and data folders.
APP_NAME = "desk"
#: Environment variables are `DESK_<SECTION>__<KEY>`; a secret file is named like the
#: variable without the prefix (`pools__braiins__token`).
ENV_PREFIX = "DESK_"
NESTED = "__"

Name = Annotated[str, Field(pattern=f"^{NAME_PATTERN}$")]
"""A name that becomes part of an account path (`assets:wallet:<name>`)."""


def check_url(value: str, schemes: tuple[str, ...] = ("https", "http")) -> str:
    """A base URL desk can put paths after: one of `schemes`, a host, no query, fragment or
    credentials (those would be printed wherever the URL is, and belong in a token)."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a URL ({exc})") from None
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError(f"{value!r} is not a URL; expected {schemes[0]}://host[:port][/path] ({' or '.join(schemes)})")
    if any(c.isspace() for c in value) or not value.isprintable():
        raise ValueError(f"{value!r} is not a URL: it holds spaces or control characters")
    if parts.username is not None or parts.password is not None:
        raise ValueError("a URL with credentials in it is refused (it would appear in logs); put them in a token")
    if parts.query or parts.fragment:
        raise ValueError(f"{value!r}: a base URL takes no query or fragment")
    if port == 0:
        raise ValueError(f"{value!r}: port 0 is not a port")
    return value


HttpUrl = Annotated[str, AfterValidator(check_url)]
"""A base URL of an HTTP API, kept as the text given."""


class Section(BaseModel):
    """A table of the config file: unknown keys are errors, and a loaded value never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)
