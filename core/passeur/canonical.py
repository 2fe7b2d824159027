"""The canonical model as a system named `passeur`, so mappings name it like any other.

Its field schemas are derived from the attrs classes of `passeur.model`, so the mapping
checker and the model can never disagree. Core registers it itself; it is not a plugin.
"""

from __future__ import annotations

import datetime
import enum
import functools
import types
import typing
from decimal import Decimal
from typing import Any

import attrs

from passeur.hookspecs import hookimpl
from passeur.model import DOCUMENT_CLASSES
from passeur.schema import Capabilities, DocumentType, FieldSpec, FieldType, SystemSpec

__all__ = ["CANONICAL", "canonical_system", "fields_of"]

CANONICAL = "passeur"

_SCALARS: dict[Any, FieldType] = {
    str: FieldType.STRING, int: FieldType.INTEGER, bool: FieldType.BOOLEAN,
    Decimal: FieldType.DECIMAL, datetime.date: FieldType.DATE,
    datetime.datetime: FieldType.DATETIME,
}


def _strip_optional(tp: Any) -> Any:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def _spec(name: str, tp: Any, required: bool, depth: int) -> FieldSpec:
    tp = _strip_optional(tp)
    origin = typing.get_origin(tp)
    if origin is tuple:
        item = typing.get_args(tp)[0]
        nested = fields_of(item, depth + 1) if attrs.has(item) else ()
        return FieldSpec(name, FieldType.LIST, required=required, fields=nested)
    if origin is dict or tp is dict or tp is Any:
        return FieldSpec(name, FieldType.ANY, required=required)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return FieldSpec(name, FieldType.ENUM, required=required,
                         allowed=tuple(str(m.value) for m in tp))
    if attrs.has(tp):
        nested = fields_of(tp, depth + 1)
        if not nested:  # past the depth limit of a recursive model (a movement's details)
            return FieldSpec(name, FieldType.ANY, required=required)
        return FieldSpec(name, FieldType.OBJECT, required=required, fields=nested)
    return FieldSpec(name, _SCALARS.get(tp, FieldType.ANY), required=required)


@functools.cache
def fields_of(cls: type, depth: int = 0) -> tuple[FieldSpec, ...]:
    """Field schemas of an attrs model class, nested classes included (depth-limited)."""
    if depth > 6:
        return ()
    hints = typing.get_type_hints(cls)
    return tuple(
        _spec(f.name, hints[f.name], f.default is attrs.NOTHING, depth)
        for f in attrs.fields(cls)
    )


@functools.cache
def canonical_system() -> SystemSpec:
    """The `passeur` system: one document type per canonical document class."""
    doctypes = tuple(
        DocumentType(
            name=name, fields=fields_of(cls), canonical=name,
            capabilities=Capabilities(),
            description=(cls.__doc__ or "").strip().splitlines()[0],
        )
        for name, cls in DOCUMENT_CLASSES.items()
    )
    return SystemSpec(
        name=CANONICAL, title="passeur canonical model (EN 16931 based)",
        document_types=doctypes,
        description="The hub: every system maps to and from these document types.",
    )


@hookimpl
def passeur_register_systems(register: Any) -> None:
    register(canonical_system())
