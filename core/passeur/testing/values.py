"""Comparing documents as a test must: a Decimal's scale counts (`0.30` is not `0.3`: a
writer that drops the cents is wrong even though the numbers are equal), and so does the
difference between `1`, `True` and `Decimal(1)`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

__all__ = ["same_value", "value_differences"]


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"Decimal('{value}')"
    return repr(value)


def value_differences(expected: Any, got: Any, path: str = "$") -> list[str]:
    """Every place where `got` differs from `expected`, as `path: expected X, got Y`.

    Decimals are equal only with the same value and the same exponent; numbers of other
    types, and booleans, never equal a Decimal; mappings and sequences are compared item
    by item (a missing or extra key is named).
    """
    if isinstance(expected, Mapping) and isinstance(got, Mapping):
        found: list[str] = []
        for key in expected:
            here = f"{path}.{key}"
            if key not in got:
                found.append(f"{here}: missing (expected {_show(expected[key])})")
            else:
                found += value_differences(expected[key], got[key], here)
        found += [f"{path}.{key}: unexpected {_show(got[key])}" for key in got
                  if key not in expected]
        return found
    if (isinstance(expected, Sequence) and isinstance(got, Sequence)
            and not isinstance(expected, (str, bytes)) and not isinstance(got, (str, bytes))):
        if len(expected) != len(got):
            return [f"{path}: expected {len(expected)} items, got {len(got)}"]
        found = []
        for i, (a, b) in enumerate(zip(expected, got, strict=True)):
            found += value_differences(a, b, f"{path}[{i}]")
        return found
    return [] if same_value(expected, got) else [f"{path}: expected {_show(expected)}, "
                                                  f"got {_show(got)}"]


def same_value(a: Any, b: Any) -> bool:
    """Equal, same type, and for Decimals the same scale (`Decimal('0.30')` is not
    `Decimal('0.3')`)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Decimal):
        return bool(a == b) and a.as_tuple().exponent == b.as_tuple().exponent
    if isinstance(a, (Mapping, list, tuple)):
        return not value_differences(a, b)
    equal: bool = a == b
    return equal
