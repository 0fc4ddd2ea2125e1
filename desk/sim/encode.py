"""JSON as the real sources write it: Decimal as a bare JSON number where the source sends
doubles (F2Pool, Foundry), and as a string where the caller passes a string."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def dumps(value: Any) -> str:
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def _write(value: Any, out: list[str]) -> None:
    if isinstance(value, dict):
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if i:
                out.append(",")
            out.append(json.dumps(key))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    elif isinstance(value, Decimal):
        out.append(_number(value))
    else:
        out.append(json.dumps(value))


def _number(value: Decimal) -> str:
    """The shortest plain literal of the value (0.04410021, not 4.410021E-2)."""
    return format(value.normalize(), "f")
