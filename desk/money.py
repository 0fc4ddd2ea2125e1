"""Exact money: assets with a fixed precision and amounts that never touch float.

Every figure desk reads, stores, sums or shows passes through `Amount`. Amounts are
`Decimal` under a wide context with `Inexact` trapped, so an 18-decimal BNB balance of a
national reserve is added without rounding, and a float anywhere on the way is a TypeError
rather than a silent 0.1 + 0.2.
"""

from __future__ import annotations

import decimal
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import total_ordering
from typing import Final

from desk.names import ASSET_CODE_PATTERN

#: Digits of headroom for sums: 20 whole digits + 18 decimals fits many times over.
MONEY_CONTEXT: Final = decimal.Context(
    prec=80,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=999,
    Emin=-999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, decimal.Inexact],
)

#: The largest magnitude desk accepts for any asset: 10^20 whole units. Nothing real comes
#: near it (all the BTC there will ever be is 2.1e7); anything beyond is a unit mistake.
MAX_WHOLE_UNITS: Final = 10**20

MAX_PRECISION: Final = 18
#: MAX_WHOLE_UNITS in smallest units, per precision: the cap `Amount.from_units` checks.
_UNIT_CAPS: Final = tuple(MAX_WHOLE_UNITS * 10**p for p in range(MAX_PRECISION + 1))

#: The longest amount text desk reads: 20 whole digits, 18 decimals, a sign, a point and an
#: exponent fit many times over; anything longer is a paste gone wrong.
MAX_AMOUNT_TEXT: Final = 64

_NUMBER = re.compile(
    r"""
    (?P<sign>[+-])?
    (?P<int>[0-9]+)?
    (?:\.(?P<frac>[0-9]*))?
    (?:[eE](?P<exp>[+-]?[0-9]{1,4}))?
    """,
    re.VERBOSE,
)


#: Thousands grouping as some write it (1,234,567.5): refused, but recognised to say how.
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")


class MoneyError(ValueError):
    """An amount that cannot be accepted; the message says what and why, for a person."""


class AssetMismatch(MoneyError):
    """Arithmetic or comparison between two different assets."""


@dataclass(frozen=True, slots=True)
class Asset:
    """A currency or coin with the number of decimals desk keeps for it (BTC 8, BNB 18)."""

    code: str
    precision: int

    def __post_init__(self) -> None:
        if not re.fullmatch(ASSET_CODE_PATTERN, self.code):
            raise MoneyError(f"asset code {self.code!r}: use 2-10 capital letters or digits, e.g. BTC")
        if isinstance(self.precision, bool) or not isinstance(self.precision, int):
            raise MoneyError(f"asset {self.code}: precision must be a whole number")
        if not 0 <= self.precision <= MAX_PRECISION:
            raise MoneyError(f"asset {self.code}: precision {self.precision} is outside 0..{MAX_PRECISION}")

    @property
    def quantum(self) -> Decimal:
        """The smallest amount of this asset desk records (1 satoshi for BTC)."""
        return Decimal(1).scaleb(-self.precision)

    def __str__(self) -> str:
        return self.code


def to_decimal(value: object, *, what: str = "amount") -> Decimal:
    """Turn a str, int or Decimal into a finite Decimal; refuse float and bool outright.

    A float has already lost the exact value (0.1 is 0.1000000000000000055...), so it is a
    programming error, not bad input: TypeError. Everything else wrong is a MoneyError.
    """
    if isinstance(value, (bool, float)):  # float-ok: this is where floats are refused
        raise TypeError(f"{what}: {type(value).__name__} is not accepted for money; pass str, int or Decimal")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise MoneyError(f"{what}: {value} is not a finite number")
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        return _parse_text(value, what=what)
    raise TypeError(f"{what}: {type(value).__name__} is not accepted for money; pass str, int or Decimal")


def _shown(text: str) -> str:
    """Text quoted for a message, cut short when it is long."""
    return repr(text if len(text) <= 24 else text[:24] + "…")


def _parse_text(text: str, *, what: str) -> Decimal:
    """Digits with an optional sign, point and exponent. No grouping: `1,000` reads as one
    thousand to some and as one to others (a decimal comma), so a comma is refused rather
    than guessed."""
    stripped = text.strip()
    if not stripped:
        raise MoneyError(f"{what}: empty; enter a number such as 0.5")
    if len(stripped) > MAX_AMOUNT_TEXT:
        raise MoneyError(f"{what}: {_shown(stripped)} is {len(stripped)} characters long; at most {MAX_AMOUNT_TEXT}")
    if not stripped.isascii():
        raise MoneyError(f"{what}: {_shown(text)} has characters other than ASCII digits, '.' and a sign")
    if "," in stripped:
        grouped = stripped.replace(",", "")
        if not _GROUPED.fullmatch(stripped):
            meant = f"{stripped.replace(',', '.')!r}"
        elif "." in stripped:
            meant = f"{grouped!r}"
        else:
            meant = f"{grouped!r}, or {stripped.replace(',', '.')!r} for a decimal comma"
        raise MoneyError(
            f"{what}: {_shown(text)} has a comma; write amounts without grouping and with '.' for decimals: {meant}"
        )
    match = _NUMBER.fullmatch(stripped)
    if match is None or (match["int"] is None and not match["frac"]):
        lowered = stripped.lower().lstrip("+-")
        if lowered in {"nan", "snan", "inf", "infinity"}:
            raise MoneyError(f"{what}: {_shown(text)} is not a finite number")
        raise MoneyError(f"{what}: {_shown(text)} is not a number")
    if match["exp"] is not None and abs(int(match["exp"])) > 40:
        raise MoneyError(f"{what}: {_shown(text)} has an exponent out of range")
    digits = match["int"] or "0"
    # as written: "97000" stays 97000, not 97000.0 (a price is kept as its text)
    literal = f"{match['sign'] or ''}{digits}" + (f".{match['frac']}" if match["frac"] else "")
    if match["exp"] is not None:
        literal += f"e{match['exp']}"
    with decimal.localcontext(MONEY_CONTEXT):
        return Decimal(literal)


def check_amount(
    value: Decimal, asset: Asset, *, what: str = "amount", allow_negative: bool = True, shown: str | None = None
) -> Decimal:
    """Check precision, sign and magnitude of a Decimal for `asset`; return it normalised.

    Normalised means quantized to the asset's precision so equal amounts compare and hash
    alike and format identically.
    """
    shown = shown or str(value)
    if len(shown) > 40:
        shown = shown[:40] + "…"
    if not value.is_finite():
        raise MoneyError(f"{what}: {shown} is not a finite number")
    if value.copy_abs() >= MAX_WHOLE_UNITS:
        raise MoneyError(f"{what}: {shown} {asset.code} is beyond the sane cap of 10^20 units")
    if not allow_negative and value < 0:
        raise MoneyError(f"{what}: {shown} {asset.code} is negative; a positive amount is required here")
    # normalised at a precision that holds every digit given, so a value with more digits
    # than the money context keeps is judged (and refused for its decimals), not rounded
    exact = decimal.Context(prec=max(len(value.as_tuple().digits), MONEY_CONTEXT.prec))
    exponent = value.normalize(exact).as_tuple().exponent
    if isinstance(exponent, int) and -exponent > asset.precision:
        raise MoneyError(f"{what}: {shown} has more decimals than {asset.code} allows ({asset.precision})")
    with decimal.localcontext(MONEY_CONTEXT):
        return value.quantize(asset.quantum)


@total_ordering
class Amount:
    """An exact quantity of one asset.

    Arithmetic between different assets raises `AssetMismatch`: adding BTC to BNB is always
    a bug. Multiplying by a price to get another asset goes through `convert`, which names
    the rounding it applies.
    """

    __slots__ = ("_units", "asset", "value")
    asset: Asset
    value: Decimal
    _units: int

    def __init__(self, asset: Asset, value: object, *, allow_negative: bool = True) -> None:
        what = f"{asset.code} amount"
        checked = check_amount(to_decimal(value, what=what), asset, what=what, allow_negative=allow_negative)
        object.__setattr__(self, "asset", asset)
        object.__setattr__(self, "value", checked)
        # kept at hand: ledgers, hashes and balances all work in integer units
        object.__setattr__(self, "_units", int(checked.scaleb(asset.precision, MONEY_CONTEXT)))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Amount is immutable")

    @classmethod
    def zero(cls, asset: Asset) -> Amount:
        return cls.from_units(asset, 0)

    @classmethod
    def from_units(cls, asset: Asset, units: int) -> Amount:
        """Build from integer smallest units (satoshis, wei).

        Whole units are exact at the asset's precision by construction, so only the
        magnitude cap is checked: a reader turning a million postings into amounts pays
        for one scaleb each, not for a parse and a quantize."""
        if type(units) is not int and (isinstance(units, bool) or not isinstance(units, int)):
            raise TypeError(f"{asset.code} units must be int, not {type(units).__name__}")
        value = Decimal(units).scaleb(-asset.precision, MONEY_CONTEXT)
        if not -_UNIT_CAPS[asset.precision] < units < _UNIT_CAPS[asset.precision]:
            return cls(asset, value)  # the checked path names what is wrong
        amount = object.__new__(cls)
        object.__setattr__(amount, "asset", asset)
        object.__setattr__(amount, "value", value)
        object.__setattr__(amount, "_units", units)
        return amount

    @property
    def units(self) -> int:
        """The amount in integer smallest units (satoshis, wei): exact by construction."""
        return self._units

    def _same(self, other: object) -> Amount:
        if not isinstance(other, Amount):
            raise TypeError(f"cannot combine Amount with {type(other).__name__}")
        if other.asset != self.asset:
            raise AssetMismatch(f"cannot combine {self.asset.code} with {other.asset.code}")
        return other

    def __add__(self, other: object) -> Amount:
        o = self._same(other)
        return Amount.from_units(self.asset, self._units + o.units)

    def __sub__(self, other: object) -> Amount:
        o = self._same(other)
        return Amount.from_units(self.asset, self._units - o.units)

    def __neg__(self) -> Amount:
        return Amount.from_units(self.asset, -self._units)

    def __abs__(self) -> Amount:
        return Amount.from_units(self.asset, abs(self._units))

    def __bool__(self) -> bool:
        return bool(self.value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Amount):
            return NotImplemented
        return self.asset == other.asset and self.value == other.value

    def __lt__(self, other: object) -> bool:
        o = self._same(other)
        return self.value < o.value

    def __hash__(self) -> int:
        return hash((self.asset, self.value))

    def convert(self, price: Decimal, to: Asset, rounding: str = decimal.ROUND_HALF_EVEN) -> Amount:
        """Value this amount in `to` at `price` (units of `to` per one unit of self).

        The result is rounded to `to`'s precision with the named rounding; the register
        records the price so the rounding can be recomputed by anyone.
        """
        price = to_decimal(price, what="price")
        ctx = MONEY_CONTEXT.copy()
        ctx.traps[decimal.Inexact] = False
        with decimal.localcontext(ctx):
            raw = self.value * price
            return Amount(to, raw.quantize(to.quantum, rounding=rounding))

    def format(self, *, grouping: bool = True, code: bool = False) -> str:
        """Fixed precision per asset, with thousands grouping: `1,234.56780000`."""
        spec = f"{',' if grouping else ''}.{self.asset.precision}f"
        text = format(self.value, spec)
        return f"{text} {self.asset.code}" if code else text

    def __str__(self) -> str:
        return self.format(code=True)

    def __repr__(self) -> str:
        return f"Amount({self.asset.code}, '{self.value}')"


#: Decimals a person reads an amount to. Eight is bitcoin's satoshi and more than any price
#: moves BNB by; an 18-decimal BNB balance to the wei would be 27 characters of which the last
#: ten never matter to an operator, and would not fit a column beside its asset code.
DISPLAY_PLACES: Final = 8
#: The width an asset code is padded to in a column, so amounts of BTC, BNB and USDT line up.
CODE_WIDTH: Final = 4


#: Cutting to the shown places drops digits on purpose: no Inexact trap here.
_CUT_CONTEXT: Final = decimal.Context(prec=MONEY_CONTEXT.prec, rounding=decimal.ROUND_DOWN, Emax=999, Emin=-999)


def _cut(amount: Amount, places: int) -> str:
    """`amount` to `places` decimals, cut toward zero, `≈` in front when digits were dropped."""
    if places >= amount.asset.precision:  # every decimal the asset has: nothing to cut (the common case)
        return f"{amount.value:,.{places}f}"
    shown = amount.value.quantize(Decimal(1).scaleb(-places), context=_CUT_CONTEXT)
    return f"{'' if shown == amount.value else '≈'}{shown:,.{places}f}"


def amount_text(amount: Amount, *, code: bool = True) -> str:
    """How every screen, CLI table and report writes an amount: grouped thousands and all of
    the asset's decimals up to `DISPLAY_PLACES` (`12.50000000 BTC`, `8,000.00000000 BNB`,
    `250,000.00 KZTE`). An amount with digits past those (wei of BNB) is cut toward zero and
    marked `≈`, so the screen never shows more than is held; the exact figure is
    `Amount.format` (the entry detail and every export)."""
    text = _cut(amount, min(amount.asset.precision, DISPLAY_PLACES))
    return f"{text} {amount.asset.code}" if code else text


def amount_cell(amount: Amount, width: int) -> str:
    """`amount_text` right-aligned in `width` characters, its asset code padded to `CODE_WIDTH`
    so decimal points line up down a column. The code is never cut: a figure too wide for the
    cell drops decimals first (`≈` when they were not zeros), then its leading digits behind `…`."""
    room = width - 1 - max(CODE_WIDTH, len(amount.asset.code))
    places = min(amount.asset.precision, DISPLAY_PLACES)
    number = _cut(amount, places)
    while len(number) > room and places > 0:
        places -= 1
        number = _cut(amount, places)
    if len(number) > room:
        number = "…" + number[len(number) - room + 1 :] if room > 1 else "…"
    return f"{number:>{max(room, 0)}} {amount.asset.code:<{CODE_WIDTH}}"


def parse_amount(text: str, asset: Asset, *, what: str = "amount", allow_negative: bool = False) -> Amount:
    """Parse what a person typed or a feed sent into an exact `Amount` of `asset`.

    Negative amounts are refused unless the caller says the context allows them.
    """
    if not isinstance(text, str):
        raise TypeError(f"{what}: parse_amount takes text, not {type(text).__name__}")
    value = to_decimal(text, what=what)
    return Amount(asset, check_amount(value, asset, what=what, allow_negative=allow_negative, shown=text.strip()))


#: The assets desk knows without configuration; config may change precisions or add more.
DEFAULT_PRECISIONS: Final[dict[str, int]] = {
    "BTC": 8,
    "BNB": 18,
    "USDT": 6,
    "USD": 2,
    "KZT": 2,
    "KZTE": 2,
}

#: The assets desk itself names, at their default precision, in one place (a configured
#: register may give others; `DeskSettings.asset` and `Register.asset` answer for those).
#: BTC's 8 places are the chain's satoshis: a pool's answer is parsed at them whatever the config.
BTC: Final = Asset("BTC", DEFAULT_PRECISIONS["BTC"])
BNB: Final = Asset("BNB", DEFAULT_PRECISIONS["BNB"])
USDT: Final = Asset("USDT", DEFAULT_PRECISIONS["USDT"])
KZTE: Final = Asset("KZTE", DEFAULT_PRECISIONS["KZTE"])
#: One bitcoin: what "the price of a bitcoin" values.
ONE_BTC: Final = Amount(BTC, "1")
