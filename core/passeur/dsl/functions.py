"""The functions a mapping file may call, and the contract every one of them follows.

A mapping can only call registered functions (the language has no user code), so each
function declares what the checker and the compiler need to know without running it: the
types of its parameters and result, its inverse (so `<->` can run it backwards), and whether
it loses information (so `<->` over it can be refused). Core registers the built-ins below
through the same hook a plugin uses.

Parameter type names: "string", "decimal", "integer", "date", "boolean", "list", "any".
Two suffixes extend the contract for signatures a plain tuple cannot say:
``"string?"`` is an optional trailing parameter, ``"any..."`` (last only) takes any number
of arguments. `MappingFunction.arity` and `param_type` read them so no caller parses them.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

import attrs

from passeur.hookspecs import hookimpl

__all__ = [
    "TYPE_NAMES",
    "FunctionError",
    "MappingFunction",
    "builtin_functions",
    "check_inverses",
    "expect_str",
    "nullsafe",
    "passeur_register_functions",
    "show",
    "type_accepts",
]

TYPE_NAMES = frozenset({"string", "decimal", "integer", "date", "boolean", "list", "any"})


class FunctionError(Exception):
    """A function refused a value; the message is one plain sentence about that value.

    The compiled mapping wraps it into a `MappingRuntimeError` that adds file:line:col,
    rule and data path, so the message here never repeats them.
    """


def _check_params(_instance: Any, _attribute: Any, params: tuple[str, ...]) -> None:
    seen_optional = False
    for index, raw in enumerate(params):
        base = raw.removesuffix("...").removesuffix("?")
        if base not in TYPE_NAMES:
            raise ValueError(f"unknown parameter type {raw!r}")
        if raw.endswith("...") and index != len(params) - 1:
            raise ValueError(f"only the last parameter can be variadic, not {raw!r}")
        if raw.endswith("?"):
            seen_optional = True
        elif seen_optional and not raw.endswith("..."):
            raise ValueError(f"required parameter {raw!r} after an optional one")


@attrs.frozen
class MappingFunction:
    """One function usable in mapping files (see the module docstring for type names)."""

    name: str
    params: tuple[str, ...] = attrs.field(validator=_check_params)
    returns: str
    impl: Callable[..., Any]
    inverse: str | None = None
    lossy: bool = False
    accepts_absent: bool = False
    doc: str = ""
    #: Empty when the inverse gives back exactly what this function read (g(f(x)) == x for
    #: every x it accepts); otherwise what is lost, for the message that asks for `keep`
    #: ('"007" is written back as "7"'). A `<->` rule over such a function needs `keep`.
    inexact: str = ""
    #: A part of a text (`before`, `after`): `put(view, current, *args)` writes the view's
    #: part back into the current source value, keeping the other part. Such a function
    #: has no inverse: two `<->` rules over one field (its two parts) write it together.
    put: Callable[..., Any] | None = None

    @property
    def variadic(self) -> bool:
        return bool(self.params) and self.params[-1].endswith("...")

    def arity(self) -> tuple[int, int | None]:
        """(minimum, maximum) number of arguments; maximum None when variadic."""
        required = sum(1 for p in self.params if not p.endswith(("?", "...")))
        return required, (None if self.variadic else len(self.params))

    def param_type(self, index: int) -> str:
        """The type name expected for argument `index` (0 is the input value)."""
        if index < len(self.params):
            return self.params[index].removesuffix("...").removesuffix("?")
        if self.variadic:
            return self.params[-1].removesuffix("...")
        raise IndexError(f"{self.name}() takes at most {len(self.params)} arguments")

    def arity_problem(self, count: int) -> str | None:
        """A sentence saying why `count` arguments do not fit, or None when they do."""
        low, high = self.arity()
        if count < low or (high is not None and count > high):
            if high is None:
                wanted = f"at least {low}"
            elif low == high:
                wanted = str(low)
            else:
                wanted = f"{low} to {high}"
            plural = "" if wanted == "1" else "s"
            return f"{self.name}() takes {wanted} argument{plural}, got {count}"
        return None

    def signature(self) -> str:
        """`date(string, string?) -> date`, for messages and `--help` listings."""
        return f"{self.name}({', '.join(self.params)}) -> {self.returns}"


_WIDER = {"integer": {"decimal"}}


def type_accepts(expected: str, actual: str) -> bool:
    """Whether a value of type `actual` may be passed where `expected` is declared.

    "any" on either side is accepted (the checker cannot know more); an integer is a
    decimal; nothing else converts silently.
    """
    if "any" in (expected, actual) or expected == actual:
        return True
    return expected in _WIDER.get(actual, set())


def show(value: Any) -> str:
    """A value as a message quotes it: strings in double quotes, numbers bare, JSON words."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def nullsafe(impl: Callable[..., Any]) -> Callable[..., Any]:
    """null in, null out: JSON null is a value of its own and must survive a round trip."""

    @functools.wraps(impl)
    def wrapper(value: Any, *args: Any) -> Any:
        if value is None:
            return None
        return impl(value, *args)

    return wrapper


def expect_str(value: Any, what: str = "a text") -> str:
    """`value` itself when it is a string; otherwise a FunctionError naming what it is."""
    if not isinstance(value, str):
        raise FunctionError(f"value {show(value)} is not {what}")
    return value


def expect_whole(value: Any, what: str, low: int = 0, noun: str = "a whole number") -> int:
    """An integer argument: an int or an exact integral decimal (`4`, `4.0`: numbers in a
    mapping are decimals), never a bool, a fraction or text."""
    from decimal import Decimal

    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        fraction = " (it has a fraction)" if isinstance(value, Decimal) else ""
        raise FunctionError(f"{what} {show(value)} must be {noun} from {low}{fraction}")
    if value < low:
        raise FunctionError(f"{what} {show(value)} must be {noun} from {low}")
    return value


def _all() -> Iterator[MappingFunction]:
    # Imported here: the families import FunctionError/MappingFunction from this module.
    from passeur.dsl import (
        functions_dates,
        functions_ids,
        functions_numbers,
        functions_text,
    )

    for family in (functions_numbers, functions_dates, functions_text, functions_ids):
        yield from family.FUNCTIONS


def builtin_functions() -> dict[str, MappingFunction]:
    """Every built-in function by name (what core registers)."""
    found: dict[str, MappingFunction] = {}
    for function in _all():
        if function.name in found:  # pragma: no cover - guarded by a test
            raise ValueError(f"built-in function {function.name!r} defined twice")
        found[function.name] = function
    return found


def check_inverses(functions: Iterable[MappingFunction]) -> list[str]:
    """Problems with declared inverses (unknown names, different signatures)."""
    by_name = {f.name: f for f in functions}
    problems = []
    for function in by_name.values():
        if function.inverse is None:
            continue
        other = by_name.get(function.inverse)
        if other is None:
            problems.append(f"{function.name}: inverse {function.inverse!r} is not defined")
        elif other.params[1:] != function.params[1:]:
            problems.append(f"{function.name}: inverse {other.name!r} takes other arguments")
    return problems


@hookimpl
def passeur_register_functions(register: Callable[[MappingFunction], None]) -> None:
    """Core's own functions, registered exactly as a plugin registers its own."""
    for function in builtin_functions().values():
        register(function)
