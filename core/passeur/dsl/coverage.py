"""Which source fields a mapping carries to the other side, and which it drops, per direction.

A consultant reviewing a mapping wants to see at a glance what gets lost ("the customer's
e-mail never reaches VosFactures"), so the report lists every field of the source schema,
not just the ones the rules mention.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from passeur.schema import FieldSpec, FieldType

__all__ = ["DirectionCoverage", "leaf_fields", "measure"]


def leaf_fields(fields: Iterable[FieldSpec],
                prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    """Every field that holds a value, as (parts, display) with `[]` after list fields."""
    out: list[tuple[tuple[str, ...], str]] = []
    for spec in fields:
        parts = (*prefix, spec.name)
        if spec.fields and spec.type in (FieldType.OBJECT, FieldType.LIST):
            for sub_parts, _ in leaf_fields(spec.fields, parts):
                out.append((sub_parts, ""))
        else:
            out.append((parts, ""))
    return [(parts, _display(fields, parts)) for parts, _ in out]


def _display(fields: Iterable[FieldSpec], parts: tuple[str, ...]) -> str:
    specs = tuple(fields)
    shown = []
    for part in parts:
        spec = next((s for s in specs if s.name == part), None)
        is_list = spec is not None and spec.type is FieldType.LIST
        shown.append(part + ("[]" if is_list and part != parts[-1] else ""))
        specs = spec.fields if spec is not None else ()
    return ".".join(shown)


@attrs.frozen
class DirectionCoverage:
    """What one direction reads from its source document."""

    direction: str
    source: str
    target: str
    carried: tuple[str, ...]
    dropped: tuple[str, ...]

    @property
    def total(self) -> int:
        return len(self.carried) + len(self.dropped)

    def summary(self) -> str:
        return (f"{self.direction} ({self.source} -> {self.target}): {len(self.carried)} of "
                f"{self.total} source fields carried, {len(self.dropped)} dropped")

    def as_json(self) -> dict[str, Any]:
        return {"direction": self.direction, "source": self.source, "target": self.target,
                "carried": list(self.carried), "dropped": list(self.dropped)}


def measure(direction: str, source: str, target: str, fields: Iterable[FieldSpec],
            read: Iterable[tuple[str, ...]]) -> DirectionCoverage:
    """Split the source's fields into carried and dropped given the paths the rules read.

    Reading an object carries every field under it; reading a field under a free-form
    (`any`) field carries that field.
    """
    reads = set(read)
    carried: list[str] = []
    dropped: list[str] = []
    for parts, shown in leaf_fields(tuple(fields)):
        hit = any(parts[:n] in reads for n in range(1, len(parts) + 1)) or any(
            r[:len(parts)] == parts for r in reads)
        (carried if hit else dropped).append(shown)
    return DirectionCoverage(direction, source, target, tuple(carried), tuple(dropped))
