"""Field-level validation errors collected across a whole payload, then raised once.

Real APIs report every invalid field in one answer; a client's error classifier is tested on
that shape, so the sandboxes collect rather than stop at the first problem.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["MAX_MAGNITUDE", "FieldErrors"]

#: Largest absolute value of a number a sandbox computes with (a trillion): a quantity
#: times a price then stays within Decimal's 28 digits, so no total ever overflows.
MAX_MAGNITUDE = Decimal(10) ** 12


class FieldErrors(Exception):
    """Messages per field path; raise it when `bool(errors)` is true."""

    def __init__(self, too_large: str = "doit être inférieur à 1000000000000") -> None:
        super().__init__("invalid fields")
        self.fields: dict[str, list[str]] = {}
        #: The message for a number beyond MAX_MAGNITUDE (in the sandbox's language).
        self.too_large = too_large

    def add(self, field: str, message: str) -> None:
        messages = self.fields.setdefault(field, [])
        if message not in messages:
            messages.append(message)

    def number(self, value: Any, field: str, message: str) -> Decimal | None:
        """`value` as an exact Decimal, or None after recording `message` for `field`: a
        boolean, a text that is not a number, NaN and infinities are refused (JSON
        `true` is no quantity, and Decimal("NaN") would poison every total); so is a number
        of MAX_MAGNITUDE or more, with the `too_large` message."""
        if isinstance(value, bool):
            self.add(field, message)
            return None
        try:
            result = value if isinstance(value, Decimal) else Decimal(str(value))
        except (InvalidOperation, ValueError):
            self.add(field, message)
            return None
        if not result.is_finite():
            self.add(field, message)
            return None
        if abs(result) >= MAX_MAGNITUDE:
            self.add(field, self.too_large)
            return None
        return result

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        if self.fields:
            raise self

    def __str__(self) -> str:
        return "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in self.fields.items())
