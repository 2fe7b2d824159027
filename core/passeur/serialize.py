"""Wire formats of the canonical model: one cattrs converter per format (JSON for now).

Decimal travels as a string (never a float), dates as ISO 8601, enums by value, tuples as
lists. A structuring error becomes a `StructureError` whose problems each carry a data path
such as `$.lines[2].quantity`.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any, TypeVar

import cattrs
from cattrs.preconf.json import make_converter

from passeur.errors import StructureError
from passeur.frozen import FrozenDict, FrozenList
from passeur.numbers import parse_decimal

__all__ = ["dumps", "json_converter", "loads", "plain_converter", "structure", "to_plain",
           "unstructure"]

_T = TypeVar("_T")


def _decimal(value: Any, _: type) -> Decimal:
    if isinstance(value, float):
        raise ValueError(f"expected a decimal written as a string or an integer, got {value!r}")
    return parse_decimal(value)  # NumberError is a ValueError with a plain message


def _date(value: Any, _: type) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO date string, got {value!r}")
    return datetime.date.fromisoformat(value)


def _explain(exc: BaseException, type_: Any) -> str:
    """One plain sentence per problem; our own hooks already wrote a good one."""
    if isinstance(exc, ValueError) and str(exc) and not isinstance(exc, KeyError):
        return str(exc)
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return f"unknown field(s): {', '.join(sorted(exc.extra_fields))}"
    return cattrs.v.format_exception(exc, type_)


def _thaw(converter: cattrs.Converter) -> None:
    """A record's frozen extensions come out as plain dicts and lists (a caller may build
    on what it gets)."""
    converter.register_unstructure_hook(
        FrozenDict, lambda d: {k: converter.unstructure(v) for k, v in d.items()})
    converter.register_unstructure_hook(
        FrozenList, lambda v: [converter.unstructure(i) for i in v])


def _build() -> cattrs.Converter:
    converter = make_converter(detailed_validation=True, forbid_extra_keys=True,
                               omit_if_default=True)
    converter.register_unstructure_hook(Decimal, str)
    converter.register_structure_hook(Decimal, _decimal)
    converter.register_unstructure_hook(datetime.date, datetime.date.isoformat)
    converter.register_structure_hook(datetime.date, _date)
    _thaw(converter)
    return converter


json_converter = _build()


def _build_plain() -> cattrs.Converter:
    """Plain Python data that keeps Decimal and date objects: what mappings work on."""
    converter = cattrs.Converter(omit_if_default=True)
    converter.register_unstructure_hook(Decimal, lambda d: d)
    converter.register_unstructure_hook(datetime.date, lambda d: d)
    _thaw(converter)
    return converter


plain_converter = _build_plain()


def to_plain(document: Any) -> Any:
    """Dicts and lists with Decimal and date values kept as objects (no strings)."""
    return plain_converter.unstructure(document)


def unstructure(document: Any) -> Any:
    """Plain JSON-ready data (dicts, lists, strings) for a model value."""
    return json_converter.unstructure(document)


def structure(data: Any, cls: type[_T]) -> _T:
    """A model value from plain data; problems are reported with their data paths."""
    try:
        return json_converter.structure(data, cls)
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as exc:
        if isinstance(exc, cattrs.BaseValidationError):
            problems = cattrs.transform_error(exc, path="$", format_exception=_explain)
        else:
            problems = [f"{exc} @ $"]
        raise StructureError(f"not a valid {cls.__name__}:", problems) from None


def dumps(document: Any, *, indent: int | None = None) -> str:
    """JSON text for a model value (keys sorted so outputs diff cleanly)."""
    return json.dumps(unstructure(document), ensure_ascii=False, indent=indent, sort_keys=True)


def loads(text: str, cls: type[_T]) -> _T:
    """A model value from JSON text; floats never appear, numbers parse as Decimal."""
    return structure(json.loads(text, parse_float=Decimal), cls)
