"""A system's wire JSON and the plain data mappings work on, guided by its field schemas.

`read_fields` / `write_fields` type each declared field (a decimal from "59.00" or 59.00, a
date from "2024-01-15T00:00:00", a boolean from "1"...) so every plugin gets the same checks
(a decimal comma, an unknown enum value, a malformed date) with the same messages and data
paths. `WireFormat` is what a plugin registers to read and write one document type.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Literal

import attrs

from passeur.engine.documents import (
    JSON_READER,
    ByteSink,
    DocumentReader,
    DocumentWriter,
    FileFunctionReader,
    FileFunctionWriter,
    InputForm,
    JsonWriter,
    WriterFactory,
)
from passeur.issues import Issue, Level
from passeur.numbers import NumberError, parse_decimal
from passeur.schema import FieldSpec, FieldType
from passeur.suggest import did_you_mean

__all__ = ["WireFormat", "Written", "canonical_read", "missing_required", "read_fields",
           "to_decimal",
           "write_fields"]


# --- schema-driven coercion between wire JSON and plain data ---------------------------------

_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
                   r"(?:Z|[+-]\d{2}:?\d{2})?)?$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class _Bad(Exception):
    """A value that does not fit its field; the message is a plain sentence."""


def to_decimal(value: Any) -> Decimal:
    """A Decimal from a JSON number or a numeric string (`passeur.numbers.parse_decimal`'s
    forms); a decimal comma is refused with the value written the accepted way."""
    try:
        return parse_decimal(value)
    except NumberError as exc:
        if exc.hint == "comma":
            raise _Bad(f'value "{value}" uses a decimal comma; write it with a point: '
                       f"{exc.fixed}") from None
        if exc.hint == "float":
            raise _Bad("a float reached passeur; numbers must be read as Decimal") from None
        raise _Bad(str(exc)) from None


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _to_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        match = _DATE.match(value.strip())
        if match:
            try:
                day = datetime.date.fromisoformat(match.group(1))
            except ValueError:
                raise _Bad(f'value "{value}" is not a valid date') from None
            if any(g not in (None, "00") for g in match.group(2, 3, 4)):
                raise _Bad(f'value "{value}" has a time of day; a date is expected')
            return day
    raise _Bad(f"value {_show(value)} is not a date (expected YYYY-MM-DD)")


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise _Bad(f"value {value!r} is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, (Decimal, str)):
        number = to_decimal(value)
        if number == number.to_integral_value():
            return int(number)
    raise _Bad(f"value {_show(value)} is not a whole number")


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, Decimal)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _Bad(f"value {_show(value)} is not true or false")


def _to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    raise _Bad(f"value {_show(value)} is not text")


def _coerce(value: Any, spec: FieldSpec, path: str, issues: list[Issue], source: str) -> Any:
    if value is None:
        return None
    kind = spec.type
    if kind is FieldType.OBJECT:
        if not isinstance(value, dict):
            raise _Bad(f"value {_show(value)} is not an object")
        return read_fields(value, spec.fields, path, issues, source) if spec.fields else value
    if kind is FieldType.LIST:
        if not isinstance(value, list):
            raise _Bad(f"value {_show(value)} is not a list")
        if not spec.fields:
            return value
        items = []
        for i, item in enumerate(value):
            here = f"{path}[{i}]"
            if isinstance(item, dict):
                items.append(read_fields(item, spec.fields, here, issues, source))
            else:
                issues.append(Issue(Level.ERROR, f"value {_show(item)} is not an object",
                                    "wire.type", here, source))
                items.append(item)
        return items
    if kind is FieldType.DECIMAL:
        return value if value == "" else to_decimal(value)
    if kind is FieldType.INTEGER:
        return value if value == "" else _to_int(value)
    if kind is FieldType.BOOLEAN:
        return _to_bool(value)
    if kind is FieldType.DATE:
        return value if value == "" else _to_date(value)
    if kind is FieldType.ENUM:
        text = _to_str(value)
        if spec.allowed and text not in spec.allowed:
            raise _Bad(f'unknown {spec.name} "{text}"{did_you_mean(text, spec.allowed)} '
                       f"(expected one of: {', '.join(spec.allowed)})")
        return text
    if kind in (FieldType.STRING, FieldType.DATETIME):
        return _to_str(value)
    return value


def read_fields(
    record: Mapping[str, Any], fields: Sequence[FieldSpec], path: str = "$",
    issues: list[Issue] | None = None, source: str | None = None,
) -> dict[str, Any]:
    """Plain data from one wire object: declared fields typed, other keys kept as they are.

    Each value that does not fit its field becomes an ERROR issue naming its data path; the
    value is then kept unchanged so the rest of the document can still be checked.
    """
    found = issues if issues is not None else []
    by_name = {spec.name: spec for spec in fields}
    out: dict[str, Any] = {}
    for key, value in record.items():
        spec = by_name.get(key)
        here = f"{path}.{key}"
        if spec is None:
            out[key] = value
            continue
        try:
            out[key] = _coerce(value, spec, here, found, source or "")
        except _Bad as exc:
            found.append(Issue(Level.ERROR, str(exc), "wire.value", here, source))
            out[key] = value
    return out


DecimalStyle = Literal["number", "string"]


def _uncoerce(value: Any, spec: FieldSpec, style: DecimalStyle, drop_read_only: bool) -> Any:
    if value is None:
        return None
    if spec.type is FieldType.OBJECT and isinstance(value, dict) and spec.fields:
        return write_fields(value, spec.fields, style, drop_read_only=drop_read_only)
    if spec.type is FieldType.LIST and isinstance(value, list) and spec.fields:
        return [write_fields(v, spec.fields, style, drop_read_only=drop_read_only)
                if isinstance(v, dict) else v for v in value]
    if isinstance(value, Decimal) and style == "string":
        return format(value, "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def write_fields(
    record: Mapping[str, Any], fields: Sequence[FieldSpec], style: DecimalStyle = "number",
    *, drop_read_only: bool = False,
) -> dict[str, Any]:
    """Wire data from plain data: decimals as JSON numbers or strings, dates as ISO text.

    With `drop_read_only`, fields the system computes itself (ids, totals) are left out, as a
    create request must.
    """
    by_name = {spec.name: spec for spec in fields}
    out: dict[str, Any] = {}
    for key, value in record.items():
        spec = by_name.get(key)
        if spec is None:
            out[key] = _uncoerce(value, FieldSpec(key, FieldType.ANY), style, drop_read_only)
            continue
        if drop_read_only and spec.read_only:
            continue
        out[key] = _uncoerce(value, spec, style, drop_read_only)
    return out


def missing_required(
    record: Mapping[str, Any], fields: Sequence[FieldSpec], variant: str | None = None,
    path: str = "$",
) -> list[str]:
    """Data paths of required fields (for `variant`) a record lacks or leaves null/empty.

    Nested objects are only checked when present; list items each.
    """
    missing: list[str] = []
    for spec in fields:
        here = f"{path}.{spec.name}"
        value = record.get(spec.name)
        if spec.is_required(variant) and value in (None, "", []):
            missing.append(here)
            continue
        if spec.fields and isinstance(value, dict):
            missing.extend(missing_required(value, spec.fields, variant, here))
        elif spec.fields and isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    missing.extend(missing_required(item, spec.fields, variant, f"{here}[{i}]"))
    return missing


# --- what a system plugin registers to read and write its documents ---------------------------

ReadFn = Callable[[Any, str], tuple["dict[str, Any] | None", "list[Issue]"]]
WriteFn = Callable[[dict[str, Any]], Any]
HubFn = Callable[[Any], tuple[Any, "list[Issue]"]]
#: reads a whole file (bytes): each document, the issues found reading it, its line
ReadFileFn = Callable[[BinaryIO, str], Iterator[tuple[Any, "list[Issue]", "int | None"]]]
#: writes the documents `write` returned into one file (bytes); returns the issues found
WriteFileFn = Callable[[Iterable[Any], BinaryIO], "list[Issue]"]
LocateFn = Callable[[bytes, str], "tuple[str, int] | None"]
#: (file bytes, rules folder or None, file name) -> (rule sets run, failed asserts)
RulesFn = Callable[[bytes, "Path | None", str], "tuple[list[str], list[dict[str, Any]]]"]


@attrs.frozen
class Written:
    """What a writer returns when writing changed something it must report (the elements
    a Factur-X profile does not carry, left out): the output and those issues."""

    output: Any
    issues: tuple[Issue, ...] = ()


@attrs.frozen
class WireFormat:
    """How one document type of one system is read and written.

    Registered through `passeur_register_formats`; `name` is `system.doctype`. Two layers:
    `reader` cuts an input (bytes) into documents and `writer` puts documents into an
    output (`passeur.engine.documents`: JSON by default; CSV, fixed-width, XML and binary
    ones are ready-made); `read(value, source)` turns one such document into the plain
    record mappings work on (or None when it cannot be read) with the issues found, and
    `write(plain)` turns a plain record back into a document (for JSON, the value the
    system's create endpoint takes). `tax_rounding`
    ("line" or "document") and `max_taxes_per_line` / `line_kinds` say what the system can
    represent, so the engine can check totals and report what a target would lose
    (`max_taxes_per_line=0`: the system computes taxes itself and takes no rates;
    `rates_kept_in` then names where the mapping keeps them for the way back, if it does;
    `allowance_charges=False`: the system has no document-level allowances or charges, so
    each one a document carries is reported as not kept).
    `to_hub(model)` completes a canonical document just read from this system (e.g. line
    tax rates the system only gives as document amounts); `from_hub(model)` prepares one
    about to be written to it (e.g. line totals fitted to the cent). Both return the
    document and the issues found.

    A format whose files are not JSON (fixed-width text, XML) gives `read_file(stream,
    name)`, which yields each document of a file with the issues found reading it and its
    line, and/or `write_file(documents, stream)`, which writes the values `write` returned
    into one file. `canonical` says that `read` gives (and `write` takes) the canonical
    document itself, so no mapping file stands between this format and the hub; `writes`
    is False for a format passeur reads but does not write.
    """

    name: str
    system: str
    doctype: str
    read: ReadFn
    write: WriteFn
    tax_rounding: str = "document"
    max_taxes_per_line: int | None = None
    rates_kept_in: str | None = None
    line_kinds: frozenset[str] | None = None
    allowance_charges: bool = True  # False: the system has no document-level ones (BG-20/21)
    description: str = ""
    to_hub: HubFn | None = None
    from_hub: HubFn | None = None
    read_file: ReadFileFn | None = None
    write_file: WriteFileFn | None = None
    canonical: bool = False
    writes: bool = True
    locate: LocateFn | None = None  # (file bytes, canonical path) -> (XPath, line) or None
    schematron: RulesFn | None = None  # the official rules of the file's syntax
    reader: DocumentReader | None = None
    writer: WriterFactory | None = None

    def document_reader(self) -> DocumentReader:
        """What cuts an input into this format's documents: `reader`, else `read_file`
        behind the reader interface, else JSON."""
        if self.reader is not None:
            return self.reader
        if self.read_file is not None:
            return FileFunctionReader(self.read_file)
        return JSON_READER

    def open_writer(self, sink: ByteSink, form: InputForm = "single") -> DocumentWriter:
        """A writer of this format's documents into `sink`: `writer`, else `write_file`
        behind the writer interface, else JSON."""
        if self.writer is not None:
            return self.writer(sink, form)
        if self.write_file is not None:
            return FileFunctionWriter(self.write_file, sink, form)
        return JsonWriter(sink, form)


def canonical_read(model: type) -> Callable[..., tuple[dict[str, Any] | None, list[Issue]]]:
    """The `read` of a format whose `read_file` yields canonical `model` objects (CODA and
    camt.053 statements): the object, or its canonical JSON read from NDJSON, as plain
    canonical data, with nothing to report."""
    from passeur.serialize import to_plain

    def read(value: Any, source: str = "") -> tuple[dict[str, Any] | None, list[Issue]]:
        plain = to_plain(value) if isinstance(value, model) else value
        return (plain if isinstance(plain, dict) else None), []

    return read
