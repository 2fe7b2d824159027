"""The one decimal parser: every number passeur reads goes through `parse_decimal`.

Accepted, and nothing else:

- a `Decimal` that is finite, returned as it is (its scale kept: `0.30` stays `0.30`);
- an `int` (not a `bool`: JSON `true` is no quantity);
- text written the one way that comes back unchanged when written again: an optional `-`,
  digits, and optionally a point followed by digits (`12`, `-12.50`, `0.30`; leading zeros
  are allowed, `007`, as fixed-width exports pad). No `+`, no exponent (`1e5`), no bare
  point (`.5`, `5.`), no spaces around it, no `_`, no decimal comma, no thousands
  separator, no `NaN` or `Infinity`. (A JSON number such as `1e5` is no text: the JSON
  reader hands it over as a Decimal already.)

A float is refused (money is exact from the moment it is read). Everything refused raises
`NumberError`, whose `hint` names the fix for the common mistakes (a decimal comma, spaces,
thousands separators) so each caller can say it in its own words.

Limits on what is accepted (digits, exponent) belong in `_within_limits`, the single check
every accepted value passes through.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["FRENCH_SEPARATORS", "NumberError", "format_french", "is_number_text",
           "parse_decimal", "parse_french"]

_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_LOOSE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SEPARATORS = "[ .\u00a0\u202f']"
_COMMA = re.compile(r"[+-]?(?:[0-9]+|[0-9]{1,3}(?:" + _SEPARATORS + r"[0-9]{3})+),[0-9]+")
_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(?:[ ,\u00a0\u202f'][0-9]{3})+(?:\.[0-9]+)?")


#: Thousands separators of French numbers: a space, a no-break space, a narrow no-break space.
FRENCH_SEPARATORS = " \u00a0\u202f"
_FRENCH = re.compile(r"-?(?:[0-9]+|[0-9]{1,3}(?:[" + FRENCH_SEPARATORS + r"][0-9]{3})+)"
                     r"(?:,[0-9]+)?")


class NumberError(ValueError):
    """A value that is not a number passeur accepts.

    `hint` is "comma", "spaces", "thousands", "form" (`+5`, `1e5`, `.5`), "float" or ""
    (no particular mistake seen);
    `fixed` is the value written the accepted way when the mistake has one obvious fix.
    """

    def __init__(self, value: Any, message: str, hint: str = "", fixed: str | None = None):
        super().__init__(message)
        self.value = value
        self.hint = hint
        self.fixed = fixed


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def is_number_text(text: str) -> bool:
    """Whether `text` is written in the accepted form (limits aside)."""
    return _TEXT.fullmatch(text) is not None


def _within_limits(number: Decimal, value: Any) -> Decimal:
    """The single check every accepted number passes: finite (limits go here too)."""
    if not number.is_finite():
        raise NumberError(value, f"value {_show(value)} is not a finite number")
    return number


def _refuse_text(value: str) -> NumberError:
    text = value.strip()
    if text != value and _LOOSE.fullmatch(text):
        return NumberError(value, f"value {_show(value)} is not a number (it has spaces "
                           "around it)", "spaces", text)
    if _COMMA.fullmatch(text):
        fixed = re.sub(_SEPARATORS, "", text).replace(",", ".")
        return NumberError(value, f"value {_show(value)} is not a number (it has a decimal "
                           "comma)", "comma", fixed)
    if _THOUSANDS.fullmatch(text):
        fixed = re.sub(r"[ ,\u00a0\u202f']", "", text)
        return NumberError(value, f"value {_show(value)} is not a number (it has thousands "
                           "separators)", "thousands", fixed)
    if _LOOSE.fullmatch(text):
        fixed = format(Decimal(text), "f")
        return NumberError(value, f"value {_show(value)} is not a number written plainly "
                           f"(write {fixed})", "form", fixed)
    return NumberError(value, f"value {_show(value)} is not a number")


def parse_decimal(value: Any) -> Decimal:
    """The exact Decimal `value` stands for, in the forms the module docstring lists."""
    cls = value.__class__
    if cls is str:
        if _TEXT.fullmatch(value):
            try:
                return _within_limits(Decimal(value), value)
            except InvalidOperation:  # pragma: no cover - the pattern already checked it
                pass
        raise _refuse_text(value)
    if cls is Decimal:
        return _within_limits(value, value)
    if isinstance(value, bool):
        raise NumberError(value, f"value {_show(value)} is not a number")
    if isinstance(value, int):
        return _within_limits(Decimal(value), value)
    if isinstance(value, Decimal):
        return _within_limits(value, value)
    if isinstance(value, float):
        raise NumberError(value, f"value {value!r} is a float; numbers must be read as "
                          "Decimal (json.loads(..., parse_float=Decimal))", "float")
    if isinstance(value, str):  # a str subclass
        return parse_decimal(str(value))
    raise NumberError(value, f"value {_show(value)} is not a number")


def parse_french(value: Any) -> Decimal:
    """A number written the French way (`"1 234,50"`: a decimal comma, thousands separated
    by a space, a no-break or a narrow no-break space in groups of three, or not at all),
    read through `parse_decimal` once its separators are taken out. Numbers (not text) are
    read by `parse_decimal` itself."""
    if isinstance(value, str):
        if _FRENCH.fullmatch(value):
            plain = re.sub("[" + FRENCH_SEPARATORS + "]", "", value).replace(",", ".")
            return parse_decimal(plain)
        raise NumberError(value, f"value {_show(value)} is not a number written the French "
                          'way (like "1 234,50")')
    return parse_decimal(value)


def format_french(value: Any, separator: str = "\u202f") -> str:
    """A number written the French way: thousands in groups of three with `separator` (a
    narrow no-break space unless told, or "" for none), a decimal comma, its scale kept."""
    if separator not in ("", *FRENCH_SEPARATORS):
        raise NumberError(separator, f"separator {_show(separator)} is not a space, a "
                          'no-break space, a narrow no-break space or ""')
    number = parse_decimal(value)
    text = format(number, "f")
    sign = "-" if text.startswith("-") else ""
    whole, _point, fraction = text.lstrip("-").partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        whole, last = whole[:-3], whole[-3:]
        groups.insert(0, last)
    whole = separator.join([whole, *groups])
    if sign and not number:  # -0.00 is no amount of its own
        sign = ""
    return sign + whole + ("," + fraction if fraction else "")
