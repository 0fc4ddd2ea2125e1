"""The custodian that signs and broadcasts approved transfers (`[custody]`): desk never holds
keys; it submits an approved transfer to the custodian's API and follows its status. Without
a `url` no transfer is submitted: an operator records the broadcast by hand."""

from __future__ import annotations

from pydantic import SecretStr

from desk.config.schema.base import HttpUrl, Section


class CustodySettings(Section):
    """`url`: the custodian's API base (the demo points it at the simulator); `token`: its
    bearer token, a secret (never printed)."""

    url: HttpUrl | None = None
    token: SecretStr | None = None
