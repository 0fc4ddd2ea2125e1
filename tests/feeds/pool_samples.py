"""Each pool's documented answers (tests/feeds/samples = /work/shared/api-samples) as routes
of the `serve` fixture, to change one field of one row at a time, and the configuration that
points a pool at them.

Foundry's `subaccount_hashrate_day` has no sample file: its shape here is the pool's
OpenAPI spec v6.0.0 (`HashrateResponse`: time, endTime, unixTime, hashrateAccepted,
hashrateStale, hashrateRejected, averageWorkers), as the simulator serves it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from desk.sim.encode import dumps
from tests.feeds.conftest import sample

JSON = "application/json"
OCEAN_USER = "bc1qdeskdemo0oceanpayout00000000000000000"
FOUNDRY_USER = "desk_demo"
FOUNDRY_HASHRATE = dumps(
    [
        {
            "time": "2026-11-23T00:00:00.000+00:00",
            "endTime": "2026-11-24T00:00:00.000+00:00",
            "unixTime": 1795392000000,
            "hashrateAccepted": 100234567890123456,
            "hashrateStale": 100234567890123,
            "hashrateRejected": 50117283945061,
            "averageWorkers": Decimal("412.0"),
        },
        {
            "time": "2026-11-24T00:00:00.000+00:00",
            "endTime": "2026-11-25T00:00:00.000+00:00",
            "unixTime": 1795478400000,
            "hashrateAccepted": 99876543210987654,
            "hashrateStale": 99876543210987,
            "hashrateRejected": 49938271605493,
            "averageWorkers": Decimal("-1.0"),
        },
    ]
)

#: pool kind -> {path: sample body}; the first path of each holds its earnings (the samples'
#: rows are all in the week before 2026-11-24)
ANSWERS: dict[str, dict[str, str]] = {
    "braiins": {
        "/accounts/rewards/json/btc": "braiins/rewards.json",
        "/accounts/payouts/json/btc": "braiins/payouts.json",
        "/accounts/profile/json/btc/": "braiins/profile.json",
    },
    "f2pool": {
        "/v2/assets/transactions/list": "f2pool/assets_transactions_list.json",
        "/v2/hash_rate/info": "f2pool/hash_rate_info.json",
    },
    "foundry": {
        f"/earnings/{FOUNDRY_USER}": "foundry/earnings.json",
        f"/transactions/{FOUNDRY_USER}": "foundry/transactions.json",
        f"/subaccount_hashrate_day/{FOUNDRY_USER}": "",
    },
    "ocean": {
        f"/v1/earnpay/{OCEAN_USER}/*": "ocean/earnpay.json",
        f"/v1/statsnap/{OCEAN_USER}": "ocean/statsnap.json",
    },
}


def answers(kind: str) -> dict[str, str]:
    """The pool's answers as text, by path."""
    return {path: sample(name) if name else FOUNDRY_HASHRATE for path, name in ANSWERS[kind].items()}


def routes(bodies: dict[str, str | bytes]) -> dict[str, tuple[int, str | bytes, str]]:
    return {path: (200, body, JSON) for path, body in bodies.items()}


def edit(text: str, change: Any) -> str:
    """`text` (JSON) with `change(data)` applied; numbers keep their literal form."""
    data = json.loads(text, parse_float=Decimal)
    change(data)
    return dumps(data)


def pool_config(kind: str, url: str) -> dict[str, str]:
    """The `[pools.<name>]` table of a pool of `kind` at `url`."""
    config = {"kind": kind, "base_url": url, "token": "s3cret-token-value"}
    if kind in ("f2pool", "foundry"):
        config["user"] = FOUNDRY_USER
    if kind == "ocean":
        config = {"kind": "ocean", "base_url": url, "user": OCEAN_USER}
    return config
