"""Field-level validation errors collected across a whole payload, then raised once.

Real APIs report every invalid field in one answer; a client's error classifier is tested on
that shape, so the sandboxes collect rather than stop at the first problem.
"""

from __future__ import annotations

__all__ = ["FieldErrors"]


class FieldErrors(Exception):
    """Messages per field path; raise it when `bool(errors)` is true."""

    def __init__(self) -> None:
        super().__init__("invalid fields")
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        messages = self.fields.setdefault(field, [])
        if message not in messages:
            messages.append(message)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        if self.fields:
            raise self

    def __str__(self) -> str:
        return "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in self.fields.items())
