"""The limits on what passeur reads, in one place (docs/limits.md says the same).

Beyond a limit, a document is refused with a message that names the field; the other
documents of the input are still read. The limits are far beyond what any business document
holds, and chosen so that everything within them is computed exactly: with every number at
most `MAX_NUMBER_DIGITS` digits before and after the point, products and sums of a few of
them stay well inside the 200-digit context documents are converted under, so no amount
can overflow, lose digits or turn into a megabyte of zeros when written out (`1e999999`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

__all__ = ["MAX_AMOUNT_DIGITS", "MAX_DEPTH", "MAX_DOCUMENT", "MAX_EACH_DEPTH",
           "MAX_EXPRESSION_DEPTH", "MAX_IF_BRANCHES", "MAX_NUMBER_DIGITS", "MAX_PATH_PARTS",
           "MAX_STRING", "amount_problem", "number_problem", "number_within_limits",
           "value_problem"]

#: Characters of one document (an NDJSON line, an element of an array, a whole file).
MAX_DOCUMENT = 64 << 20
#: Objects and arrays inside each other, the document itself included (invoices need < 10).
MAX_DEPTH = 64
#: Characters of one string: a string may fill a document (an embedded PDF in base64).
MAX_STRING = MAX_DOCUMENT
#: Digits before the point, and digits after it, of any number read (JSON or text).
MAX_NUMBER_DIGITS = 40
#: Digits before the point of an amount, a quantity, a price or a rate in a canonical
#: document: a quintillion (10^18) is more than any invoice holds in any currency.
MAX_AMOUNT_DIGITS = 18

_LIMIT = 10 ** MAX_NUMBER_DIGITS


def number_within_limits(number: Decimal | int) -> bool:
    """Whether a number has at most `MAX_NUMBER_DIGITS` digits before and after the point."""
    if isinstance(number, int):
        return bool(-_LIMIT < number < _LIMIT)
    if not number.is_finite():
        return False
    _sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    return bool(len(digits) + exponent <= MAX_NUMBER_DIGITS
                and -exponent <= MAX_NUMBER_DIGITS)


def number_problem(number: Decimal | int) -> str | None:
    """Why a number read from a document is refused (beyond the limits), or None."""
    if number_within_limits(number):
        return None
    text = str(number)
    shown = text if len(text) <= 24 else f"{text[:20]}..."
    return (f"number {shown} is beyond the limits (at most {MAX_NUMBER_DIGITS} digits before "
            f"the point and {MAX_NUMBER_DIGITS} after it)")


def amount_problem(number: Decimal) -> str | None:
    """Why an amount of a canonical document is absurd (10^18 or more), or None."""
    if number.is_finite() and number.adjusted() < MAX_AMOUNT_DIGITS:
        return None
    return (f"{number} is an absurd amount (the limit is {MAX_AMOUNT_DIGITS} digits before the "
            "point)")


# The mapping language (passeur.dsl.parser enforces these; docs/limits.md lists them). Beyond
# one, `check` and `convert --mapping` answer with a message at its line:col.

#: Levels of nesting of one expression: operators, calls, parentheses (an `else if` continues
#: its chain and does not count). Every pass over the tree recurses once per level.
MAX_EXPRESSION_DEPTH = 64
#: Branches of one `if ... else if ...` chain.
MAX_IF_BRANCHES = 200
#: `each` blocks inside each other (the generated Python nests two blocks per level, and
#: Python allows 20): invoices need 2 or 3.
MAX_EACH_DEPTH = 8
#: Names of one dotted path: a document nests at most `MAX_DEPTH` levels.
MAX_PATH_PARTS = MAX_DEPTH


def value_problem(value: Any, path: str = "$") -> tuple[str, str] | None:
    """The first number beyond the limits in JSON-like data, as (field path, why), or None.
    The reader refuses such numbers in text; this is the same limit for documents handed
    over as Python values (the API), which never went through a reader."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            stack.extend((v, f"{where}.{k}") for k, v in reversed(list(item.items())))
        elif isinstance(item, list | tuple):
            stack.extend((v, f"{where}[{i}]") for i, v in reversed(list(enumerate(item))))
        elif isinstance(item, Decimal | int) and not isinstance(item, bool):
            problem = number_problem(item)
            if problem is not None:
                return where, problem
        elif isinstance(item, float) and (item != item or abs(item) == float("inf")):
            return where, f"number {item} is not a number JSON allows"
    return None
