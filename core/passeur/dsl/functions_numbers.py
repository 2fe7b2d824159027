"""Numbers in mappings: exact parsing, explicit rounding, never a float.

Parsing is `passeur.numbers.parse_decimal`, strict on purpose (digits, an optional point
and digits) so that the text a system wrote comes back unchanged through the inverse, and
so that "12,50" from a French export is reported instead of being misread; `decimal_comma`
is the explicit way to read it.
"""

from __future__ import annotations

import decimal
import re
from decimal import Decimal
from typing import Any

from passeur.dsl.functions import FunctionError, MappingFunction, nullsafe, show
from passeur.numbers import NumberError, format_french, parse_decimal, parse_french

__all__ = ["FUNCTIONS", "ROUNDING_MODES", "parse_number", "rounding_mode", "to_text"]

ROUNDING_MODES: dict[str, str] = {
    "half_up": decimal.ROUND_HALF_UP,
    "half_even": decimal.ROUND_HALF_EVEN,
    "half_down": decimal.ROUND_HALF_DOWN,
    "up": decimal.ROUND_UP,
    "down": decimal.ROUND_DOWN,
    "ceiling": decimal.ROUND_CEILING,
    "floor": decimal.ROUND_FLOOR,
}
MAX_SCALE = 18

_COMMA = re.compile(r"-?[0-9]+(?:,[0-9]+)?")
_INTEGER = re.compile(r"-?[0-9]+")


_HINTS = {
    "comma": " (it has a decimal comma; read it with decimal_comma())",
    "spaces": " (it has spaces around it; trim() it first)",
    "thousands": " (it has thousands separators)",
}


def parse_number(value: Any) -> Decimal:
    """A Decimal in the forms `passeur.numbers.parse_decimal` accepts, or a FunctionError
    that says how to read the common other forms in a mapping."""
    try:
        return parse_decimal(value)
    except NumberError as exc:
        if exc.hint == "float":
            raise FunctionError(f"value {value!r} is a float; money and quantities must be "
                                "read as Decimal (json.loads(..., parse_float=Decimal))"
                                ) from None
        if exc.hint not in _HINTS:
            raise FunctionError(str(exc)) from None
        raise FunctionError(f"value {show(value)} is not a number{_HINTS[exc.hint]}") from None


def to_text(value: Any) -> str:
    """The text a system expects: Decimal without exponent, dates in ISO, JSON booleans."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise FunctionError(f"value {show(value)} is not a finite number")
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    raise FunctionError(f"value {show(value)} cannot be written as text")


def rounding_mode(name: Any) -> str:
    """The decimal module's constant for a rounding mode named in a mapping."""
    if not isinstance(name, str) or name not in ROUNDING_MODES:
        raise FunctionError(f"unknown rounding mode {show(name)}; use one of: "
                            + ", ".join(ROUNDING_MODES))
    return ROUNDING_MODES[name]


def _scale(scale: Any) -> int:
    if isinstance(scale, Decimal) and scale == scale.to_integral_value():
        scale = int(scale)
    if isinstance(scale, bool) or not isinstance(scale, int) or not 0 <= scale <= MAX_SCALE:
        raise FunctionError(f"scale {show(scale)} is not a whole number from 0 to {MAX_SCALE}")
    return scale


_EXPONENTS = tuple(Decimal(1).scaleb(-places) for places in range(MAX_SCALE + 1))


def round_to(value: Decimal, scale: Any, rounding: Any = "half_up") -> Decimal:
    """`value` with exactly `scale` decimals, rounded by the named mode."""
    places = scale if scale.__class__ is int and 0 <= scale <= MAX_SCALE else _scale(scale)
    mode = (ROUNDING_MODES.get(rounding) if rounding.__class__ is str else None) \
        or rounding_mode(rounding)
    try:
        return value.quantize(_EXPONENTS[places], rounding=mode)
    except decimal.InvalidOperation:
        # More digits than the context holds (28 by default): widen it rather than let a
        # large amount be refused; money is never rounded by accident.
        digits = len(value.as_tuple().digits) + value.adjusted() + places + 2
        with decimal.localcontext(prec=max(digits, 28)):
            return value.quantize(_EXPONENTS[places], rounding=mode)


def _number(value: Any) -> Decimal | None:
    return None if value is None else parse_number(value)


def _decimal(value: Any, scale: Any, rounding: Any = "half_up") -> Decimal:
    return round_to(parse_number(value), scale, rounding)


def _money(value: Any, scale: Any = 2, rounding: Any = "half_up") -> Decimal | None:
    if value is None:
        return None
    return round_to(value if value.__class__ is Decimal and value.is_finite()
                    else parse_number(value), scale, rounding)


def _round(value: Any, scale: Any = 0, rounding: Any = "half_up") -> Decimal:
    return round_to(parse_number(value), scale, rounding)


def _decimal_comma(value: Any) -> Decimal:
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return parse_number(value)
    if not isinstance(value, str) or not _COMMA.fullmatch(value):
        raise FunctionError(f"value {show(value)} is not a number written with a decimal "
                            'comma (like "12,50")')
    return parse_number(value.replace(",", "."))


def _decimal_comma_text(value: Any) -> str:
    return format(parse_number(value), "f").replace(".", ",")


def _french_number(value: Any, separator: Any = None) -> Decimal:
    # the separator is the one written back; any of the three is read
    try:
        return parse_french(value)
    except NumberError as exc:
        raise FunctionError(str(exc)) from None


def _french_number_text(value: Any, separator: Any = "\u202f") -> str:
    try:
        return format_french(value, separator)
    except NumberError as exc:
        raise FunctionError(str(exc)) from None


def _integer(value: Any) -> int:
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        return int(value)
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        number = parse_number(value)
        if number == number.to_integral_value():
            return int(number)
    raise FunctionError(f"value {show(value)} is not a whole number")


def _negate(value: Any) -> Decimal | int:
    if isinstance(value, int) and not isinstance(value, bool):
        return -value
    number = parse_number(value)
    # exact (unary minus would round to the context); zero stays unsigned: 0.00, not -0.00
    return number.copy_negate() if number else number.copy_abs()


def _abs(value: Any) -> Decimal | int:
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value)
    return parse_number(value).copy_abs()



def _extreme(values: tuple[Any, ...], pick: Any) -> Any:
    numbers = [parse_number(v) for v in values if v is not None]
    return pick(numbers) if numbers else None


def _min(*values: Any) -> Any:
    return _extreme(values, min)


def _max(*values: Any) -> Any:
    return _extreme(values, max)


def _boolean(value: Any, true_text: Any = "true", false_text: Any = "false") -> bool:
    if isinstance(value, bool):
        return value
    if value == true_text:
        return True
    if value == false_text:
        return False
    raise FunctionError(f"value {show(value)} is neither {show(true_text)} nor "
                        f"{show(false_text)}")


def _boolean_text(value: Any, true_text: Any = "true", false_text: Any = "false") -> Any:
    if not isinstance(value, bool):
        raise FunctionError(f"value {show(value)} is not true or false")
    return true_text if value else false_text


FUNCTIONS = (
    MappingFunction("number", ("any",), "decimal", _number, inverse="text",
                    inexact='"007" is read as 7 and written back as "7"',
                    doc='Exact number from "12.50", 12 or a decimal; "12,50" is refused.'),
    MappingFunction("text", ("any",), "string", nullsafe(to_text), inverse="number",
                    inexact='only numbers come back: "007" would be written back as 7',
                    doc="Text of a number (no exponent), date (ISO) or boolean."),
    MappingFunction("decimal", ("any", "integer", "string?"), "decimal",
                    nullsafe(_decimal), lossy=True,
                    doc='Number rounded to `scale` decimals; rounding defaults to "half_up".'),
    MappingFunction("money", ("any", "integer?", "string?"), "decimal", _money,
                    lossy=True, doc="Amount with 2 decimals (or `scale`), half_up by default."),
    MappingFunction("round", ("decimal", "integer?", "string?"), "decimal",
                    nullsafe(_round), lossy=True,
                    doc="Round to `scale` decimals (0 by default) by the named mode."),
    MappingFunction("decimal_comma", ("any",), "decimal", nullsafe(_decimal_comma),
                    inverse="decimal_comma_text", doc='Exact number from "12,50".',
                    inexact='"012,5" is read as 12.5 and written back as "12,5"'),
    MappingFunction("decimal_comma_text", ("decimal",), "string",
                    nullsafe(_decimal_comma_text), inverse="decimal_comma",
                    inexact='a number written as text ("12.50") is written back as a number',
                    doc='Number written with a decimal comma: "12,50".'),
    MappingFunction("french_number", ("any", "string?"), "decimal", nullsafe(_french_number),
                    inverse="french_number_text",
                    inexact='"1234,50" is read as 1234.50 and written back as "1 234,50"',
                    doc='Exact number from French text: "1 234,50" (thousands separated by '
                    "a space, a no-break or a narrow no-break space, or not at all)."),
    MappingFunction("french_number_text", ("decimal", "string?"), "string",
                    nullsafe(_french_number_text), inverse="french_number",
                    inexact='a number written as text ("12.50") is written back as a number',
                    doc='Number written the French way: "1 234,50", thousands separated by '
                    "the separator given (a narrow no-break space unless told; \"\" for "
                    "none)."),
    MappingFunction("integer", ("any",), "integer", nullsafe(_integer), inverse="text",
                    inexact='"007" is read as 7 and written back as "7"',
                    doc='Whole number from "12", 12 or 12.0.'),
    MappingFunction("negate", ("decimal",), "decimal", nullsafe(_negate), inverse="negate",
                    inexact='a number written as text ("12.50") is written back as a number',
                    doc="The opposite amount (credit notes written as negative invoices)."),
    MappingFunction("abs", ("decimal",), "decimal", nullsafe(_abs), lossy=True,
                    doc="The amount without its sign."),
    MappingFunction("min", ("decimal", "decimal..."), "decimal", _min, lossy=True,
                    doc="The smallest of the numbers given (nulls are skipped)."),
    MappingFunction("max", ("decimal", "decimal..."), "decimal", _max, lossy=True,
                    doc="The largest of the numbers given (nulls are skipped)."),
    MappingFunction("boolean", ("any", "string?", "string?"), "boolean", nullsafe(_boolean),
                    inverse="boolean_text",
                    inexact="a JSON true is written back as the word for true",
                    doc='true/false from two words, "true"/"false" by default.'),
    MappingFunction("boolean_text", ("boolean", "string?", "string?"), "any",
                    nullsafe(_boolean_text), inverse="boolean",
                    doc="The word for true or false (inverse of boolean)."),
)
