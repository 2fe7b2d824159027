"""Short, typed ways to declare a document type's fields, for plugins' schema modules.

A system declares tens of fields; spelling `FieldSpec(name, FieldType.STRING,
read_only=True, description=...)` for each buries the names. These helpers take the name,
the type and the description in that order, every other setting by keyword (so mypy checks
them: no `**kw` and no `# type: ignore`), and build plain `FieldSpec`s.
"""

from __future__ import annotations

from collections.abc import Iterable

from passeur.schema import FieldSpec, FieldType

__all__ = ["field", "fields", "read_only", "read_only_fields"]


def field(name: str, type_: FieldType = FieldType.STRING, description: str = "", *,
          required: bool = False, read_only: bool = False, allowed: tuple[str, ...] = (),
          fields: tuple[FieldSpec, ...] = (), required_in: Iterable[str] = (),
          generated_in: Iterable[str] = ()) -> FieldSpec:
    """One field a writer may set (or must, with `required`)."""
    return FieldSpec(name, type_, required=required, read_only=read_only, allowed=allowed,
                     fields=fields, description=description,
                     required_in=frozenset(required_in), generated_in=frozenset(generated_in))


def read_only(name: str, type_: FieldType = FieldType.STRING, description: str = "", *,
              allowed: tuple[str, ...] = (), fields: tuple[FieldSpec, ...] = ()) -> FieldSpec:
    """One field the system computes (ids, totals, timestamps): read, never written."""
    return field(name, type_, description, read_only=True, allowed=allowed, fields=fields)


def fields(type_: FieldType, *names: str) -> tuple[FieldSpec, ...]:
    """Several writable fields of one type, without descriptions."""
    return tuple(field(name, type_) for name in names)


def read_only_fields(type_: FieldType, *names: str) -> tuple[FieldSpec, ...]:
    """Several read-only fields of one type, without descriptions."""
    return tuple(read_only(name, type_) for name in names)
