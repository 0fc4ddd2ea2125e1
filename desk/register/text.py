"""Free text the register keeps (memos, references, reasons, notes): printable text only.

A memo is printed to terminals (`desk log`, `desk pending`), written into journals other
tools parse and shown on the screen. A control character in it (ESC starting a terminal
escape sequence, BEL, a newline splitting a journal line) or an invisible format character
(a right-to-left override that reorders what a person reads) is refused where text enters
the register, naming the field and the character. `shown` makes text written before this
rule safe to print: such characters appear as their escape (`\\x1b`), never raw.
"""

from __future__ import annotations

import unicodedata

from desk.register.errors import EntryRejected

#: The longest free text the register keeps in one field.
MAX_TEXT = 500

#: Unicode categories that are not printable text: controls, format characters (bidi
#: overrides, zero-width joiners), surrogates, private use, unassigned, line and
#: paragraph separators.
_NOT_PRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def unprintable(text: str) -> tuple[int, str] | None:
    """(position, character) of the first character that is not printable text, or None."""
    if text.isascii() and text.isprintable():
        return None  # the common case, without a per-character lookup
    for index, char in enumerate(text):
        if unicodedata.category(char) in _NOT_PRINTABLE:
            return index, char
    return None


def check_text(value: str, what: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    """Refuse `value` (naming `what`) unless it is printable text of at most `limit`
    characters (and not blank when `required`); return it stripped of outer spaces when
    required, as given otherwise."""
    if not isinstance(value, str):
        raise EntryRejected(f"{what} must be text", field=what)
    if required:
        value = value.strip()
        if not value:
            raise EntryRejected(f"{what} must not be empty", field=what)
    if len(value) > limit:
        raise EntryRejected(f"{what} is {len(value)} characters long; at most {limit}", field=what)
    bad = unprintable(value)
    if bad is not None:
        index, char = bad
        raise EntryRejected(
            f"{what} holds {_name(char)} at position {index + 1}; only printable text is kept", field=what
        )
    return value


def _name(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"a non-printable character (U+{ord(char):04X}{' ' + name if name else ''})"


def shown(text: str) -> str:
    """`text` safe to print: characters that are not printable text appear escaped."""
    if unprintable(text) is None:
        return text
    return "".join(
        char.encode("unicode_escape").decode("ascii") if unicodedata.category(char) in _NOT_PRINTABLE else char
        for char in text
    )
