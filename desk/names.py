"""The shapes of the names desk accepts, in one place: the name an account path ends in
(`assets:wallet:<name>`, a pool, a venue, an operator) and an asset code. The configuration,
the register and the exports' property tests all read these patterns, so what one accepts
the others can write."""

from __future__ import annotations

#: A name that becomes part of an account path: lower case letters, digits, `-` and `_`.
NAME_PATTERN = r"[a-z0-9][a-z0-9_-]{0,39}"
#: An asset code: 2 to 10 capital letters or digits, starting with a letter (BTC, KZTE, BTC2).
ASSET_CODE_PATTERN = r"[A-Z][A-Z0-9]{1,9}"
