"""Reading the sources' JSON exactly: numbers straight to Decimal, fields checked by name.

Every helper takes `where` (e.g. `f2pool transactions[3].changed_balance`) so a malformed
answer is reported with the field that was wrong.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from desk.feeds.errors import Malformed
from desk.feeds.fields import check_text, external_id, shown
from desk.money import BTC, MONEY_CONTEXT, Amount, MoneyError, check_amount

SATS_CAP = 21_000_000 * 10**8
#: The widest decimal exponent a feed number may have (|adjusted exponent|): a hashrate in
#: H/s is about 1e17, a satoshi 1e-8; `1e-2000` or `1e400` is an error in that field, not a
#: number to compute with (it would trap deep inside Decimal arithmetic, far from its field).
MAX_EXPONENT = 30


def loads(text: str, where: str) -> Any:
    """JSON with every non-integer number as Decimal (never float)."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise Malformed(f"{where}: not valid JSON ({str(exc)[:80]})") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def obj(value: Any, where: str) -> Mapping[str, Any]:
    """A JSON object (a row of an answer), else Malformed naming where."""
    if not isinstance(value, dict) and not isinstance(value, Mapping):
        raise Malformed(f"{where}: expected an object, got {type(value).__name__}")
    return value


def field(obj: Any, key: str, where: str) -> Any:
    if not isinstance(obj, dict) and not isinstance(obj, Mapping):  # dict first: the cheap test
        raise Malformed(f"{where}: expected an object, got {type(obj).__name__}")
    if key not in obj:
        raise Malformed(f"{where}.{key}: missing")
    return obj[key]


def as_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise Malformed(f"{where}: expected a list, got {type(value).__name__}")
    return value


def text(value: Any, where: str, *, optional: bool = False) -> str | None:
    """Text that is valid UTF-8 without control characters; '' is absent when optional."""
    if value is None and optional:
        return None
    if not isinstance(value, str) or (not value and not optional):
        raise Malformed(f"{where}: expected text, got {shown(value) if isinstance(value, str) else repr(value)}"[:160])
    return check_text(value, where) or None


def ident(value: Any, where: str) -> str:
    """A record's id as the pool gives it, a whole number or text, as an external id's part."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str):
        return external_id(value, where)
    raise Malformed(f"{where}: expected an id, got {type(value).__name__}")


def decimal(value: Any, where: str, *, optional: bool = False) -> Decimal | None:
    """A number sent as a JSON number or as a string of one; '' means absent."""
    if value is None or value == "":
        if optional:
            return None
        raise Malformed(f"{where}: missing number (got {value!r})")
    if isinstance(value, bool):
        raise Malformed(f"{where}: expected a number, got {value!r}")
    if isinstance(value, int | Decimal):
        result = Decimal(value)
    elif isinstance(value, str):
        check_text(value, where)
        if not value.isascii():  # Decimal() would read other scripts' digits as digits
            raise Malformed(f"{where}: {shown(value)} is not a number (ASCII digits only)")
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise Malformed(f"{where}: {shown(value)} is not a number") from None
    else:
        raise Malformed(f"{where}: expected a number, got {type(value).__name__}")
    if not result.is_finite():
        raise Malformed(f"{where}: {shown(str(value))} is not a finite number")
    if result.is_zero():
        return Decimal(0)  # 0, 0.00000000, -0.0 and 0e-2000 are all plain zero
    if abs(result.adjusted()) > MAX_EXPONENT:
        raise Malformed(f"{where}: {shown(str(value))} is out of range for this field")
    return result


def price(value: Any, where: str) -> Decimal:
    """A quoted price: a number above zero (a price of zero or less is no quote, whatever
    the exchange sent)."""
    number = decimal(value, where)
    if number is None or number <= 0:
        raise Malformed(f"{where}: {number} is not a positive price")
    return number


def btc(value: Any, where: str, *, allow_negative: bool = False) -> Amount:
    """BTC as a decimal number (string or JSON number) with at most 8 decimals."""
    number = decimal(value, where)
    assert number is not None
    try:
        checked = check_amount(number, BTC, what=where, allow_negative=allow_negative)
    except MoneyError as exc:
        raise Malformed(str(exc)) from None
    if abs(checked) > SATS_CAP // 10**8:
        raise Malformed(f"{where}: {shown(str(value))} BTC is more than will ever exist")
    return Amount(BTC, checked)


def sats(value: Any, where: str) -> Amount:
    """BTC as an integer count of satoshis (int, or a string of digits)."""
    if isinstance(value, bool):
        raise Malformed(f"{where}: expected satoshis, got {value!r}")
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, Decimal):
        if not value.is_finite() or (not value.is_zero() and abs(value.adjusted()) > MAX_EXPONENT):
            raise Malformed(f"{where}: {shown(str(value))} is out of range for satoshis")
        if value == value.to_integral_value():
            value = int(value)
    if not isinstance(value, int):
        shown_value = shown(value) if isinstance(value, str) else repr(value)
        raise Malformed(f"{where}: expected whole satoshis, got {shown_value}"[:160])
    if not 0 <= value <= SATS_CAP:
        raise Malformed(f"{where}: {value} satoshis is out of range")
    return Amount.from_units(BTC, value)


#: No feed desk reads reports a moment before Bitcoin's first block (2009-01-03): an earlier
#: time is a value misread (a "1E-12" that would read as 1970), not history.
EARLIEST_UNIX_S = 1_230_940_800
#: Nor one past 2286: ten digits of seconds.
LATEST_UNIX_S = 10**10


def unix_seconds(value: Any, where: str) -> datetime:
    """A whole number of seconds since 1970, from 2009 on; a fraction or an exponent that
    leaves one ("1E-12", "1795305600.5") is refused with the field named, not rounded."""
    number = decimal(value, where)
    assert number is not None
    if number != number.to_integral_value():
        raise Malformed(f"{where}: {shown(str(value))} is not a unix time in whole seconds")
    if not EARLIEST_UNIX_S <= number < LATEST_UNIX_S:
        raise Malformed(f"{where}: {shown(str(value))} is not a unix time in seconds between 2009 and 2286")
    return datetime.fromtimestamp(int(number), UTC)


def unix_millis(value: Any, where: str) -> datetime:
    number = decimal(value, where)
    assert number is not None
    if not 0 <= number < 10**13:
        raise Malformed(f"{where}: {value!r} is not a unix time in milliseconds")
    seconds, millis = divmod(int(number), 1000)
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=millis * 1000)


def iso_time(value: Any, where: str) -> datetime:
    """ISO 8601; a time without a zone is UTC (OCEAN sends those)."""
    raw = text(value, where)
    assert raw is not None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Malformed(f"{where}: {raw[:40]!r} is not an ISO date-time") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


#: Hashrate unit prefixes as the pools write them (`Gh/s`, `Th/s`, `Ph/s`, `EH/s`...).
HASHRATE_PREFIXES = {"": 0, "k": 3, "m": 6, "g": 9, "t": 12, "p": 15, "e": 18}


def hashrate(value: Any, unit: Any, where: str) -> Decimal:
    """A hashrate in the unit the pool names (a number or a string of one), in H/s exactly."""
    name = text(unit, f"{where} unit") or ""
    match = re.fullmatch(r"\s*([kKmMgGtTpPeE]?)[hH](?:/[sS])?\s*", name)
    if match is None:
        raise Malformed(f"{where} unit: {shown(name)} is not a hashrate unit (H/s, Gh/s, Th/s, Ph/s ...)")
    number = decimal(value, where)
    assert number is not None
    if number < 0:
        raise Malformed(f"{where}: {shown(str(value))} {name} is negative")
    return number.scaleb(HASHRATE_PREFIXES[match[1].lower()], MONEY_CONTEXT)
