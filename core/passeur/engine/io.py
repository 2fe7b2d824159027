"""Reading and writing documents as JSON, streamed, and schema-driven wire coercion.

Input is one JSON document, a JSON array of documents, or NDJSON (one per line); all three
are read one document at a time so a 1 GB file converts in constant memory. A malformed
document is reported with its number, line and column, and the documents after it are still
read when the form allows it (NDJSON: the next line; an array or a single document cannot be
resynchronised, so reading stops there). Numbers are `Decimal` from the moment they are read.

`read_fields` / `write_fields` turn a system's wire JSON into the plain data mappings work on
and back, guided by the system's `FieldSpec`s, so every plugin gets the same checks (a decimal
comma, an unknown enum value, a malformed date) with the same messages.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TextIO

import attrs

from passeur.issues import Issue, Level
from passeur.schema import FieldSpec, FieldType
from passeur.suggest import did_you_mean

__all__ = [
    "InputForm",
    "InputProblem",
    "RawDocument",
    "WireFormat",
    "dump_json",
    "iter_documents",
    "missing_required",
    "read_fields",
    "to_decimal",
    "write_fields",
]

InputForm = Literal["single", "array", "ndjson"]
CHUNK = 1 << 16
MAX_DOCUMENT = 64 << 20  # one document bigger than this is refused rather than buffered
_TAIL = 16  # a parse error this close to the end of the buffer may just need more text


@attrs.frozen
class RawDocument:
    """One parsed document: its 1-based number in the input and the line it starts on."""

    index: int
    value: Any
    line: int


@attrs.frozen
class InputProblem:
    """A document that could not be parsed; `index` is its 1-based number in the input."""

    index: int
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}: " if self.line else ""
        return f"document {self.index}: {where}{self.message}"


def _decoder() -> json.JSONDecoder:
    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not a number JSON allows")
    return json.JSONDecoder(parse_float=Decimal, parse_constant=constant)


_DECODER = _decoder()
_WS = re.compile(r"[ \t\n\r]*")


class _Reader:
    """A growing text buffer over a stream that knows the line and column of its start."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.line = 1  # line of buf[0]
        self.col = 1  # column of buf[0]

    def more(self) -> bool:
        if self.eof:
            return False
        chunk = self.stream.read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.compact()
        self.buf += chunk
        return True

    def compact(self) -> None:
        """Drop consumed text, keeping track of where the buffer now starts."""
        if self.pos == 0:
            return
        dropped = self.buf[: self.pos]
        newlines = dropped.count("\n")
        if newlines:
            self.line += newlines
            self.col = self.pos - dropped.rfind("\n")
        else:
            self.col += self.pos
        self.buf = self.buf[self.pos:]
        self.pos = 0

    def skip_ws(self) -> str | None:
        """The next non-blank character (not consumed), or None at the end."""
        while True:
            match = _WS.match(self.buf, self.pos)
            self.pos = match.end() if match else self.pos
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return None

    def where(self, offset: int) -> tuple[int, int]:
        """Line and column (1-based) of buf[offset]."""
        before = self.buf[:offset]
        newlines = before.count("\n")
        if newlines:
            return self.line + newlines, offset - before.rfind("\n")
        return self.line, self.col + offset

    def decode(self) -> tuple[Any, int]:
        """Decode one JSON value at the current position, reading more text as needed.

        Returns the value and the line it started on; raises ValueError with a located
        message when the text is not JSON.
        """
        start_line = self.where(self.pos)[0]
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                incomplete = (exc.pos >= len(self.buf) - _TAIL
                              or exc.msg.startswith("Unterminated"))
                if incomplete and len(self.buf) - self.pos < MAX_DOCUMENT and self.more():
                    continue
                line, col = self.where(exc.pos)
                raise _Located(_plain_json_error(exc.msg), line, col) from None
            except ValueError as exc:
                line, col = self.where(self.pos)
                raise _Located(str(exc), line, col) from None
            # a number at the very end of the buffer may go on in the next chunk
            if (end == len(self.buf) and not self.eof and _may_continue(value)
                    and self.more()):
                continue
            self.pos = end
            return value, start_line


def _may_continue(value: Any) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


class _Located(Exception):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _plain_json_error(msg: str) -> str:
    return f"malformed JSON: {msg[0].lower()}{msg[1:]}" if msg else "malformed JSON"


def iter_documents(
    stream: TextIO, on_form: Callable[[InputForm], None] | None = None
) -> Iterator[RawDocument | InputProblem]:
    """Yield each document of a JSON, JSON array or NDJSON stream, or the problem with it.

    `on_form` is told which of the three forms the input is, as soon as it is known, so an
    output can mirror it.
    """
    reader = _Reader(stream)
    first = reader.skip_ws()
    if first is None:
        if on_form:
            on_form("single")
        return
    if first == "[":
        if on_form:
            on_form("array")
        yield from _iter_array(reader)
        return
    yield from _iter_sequence(reader, on_form)


def _iter_array(reader: _Reader) -> Iterator[RawDocument | InputProblem]:
    reader.pos += 1
    index = 0
    expect_value = True
    while True:
        char = reader.skip_ws()
        if char is None:
            line, col = reader.where(reader.pos)
            yield InputProblem(index + 1, "malformed JSON: the array is not closed with ']'",
                               line, col)
            return
        if char == "]" and (index == 0 or not expect_value):
            reader.pos += 1
            break
        if not expect_value:
            if char != ",":
                line, col = reader.where(reader.pos)
                yield InputProblem(index + 1, f"malformed JSON: expected ',' or ']' between "
                                   f"documents, found {char!r}", line, col)
                return
            reader.pos += 1
            expect_value = True
            continue
        index += 1
        try:
            value, line = reader.decode()
        except _Located as exc:
            yield InputProblem(index, exc.message, exc.line, exc.column)
            return
        yield RawDocument(index, value, line)
        expect_value = False
        reader.compact()
    trailing = reader.skip_ws()
    if trailing is not None:
        line, col = reader.where(reader.pos)
        yield InputProblem(index + 1, "malformed JSON: text after the closing ']'", line, col)


def _iter_sequence(
    reader: _Reader, on_form: Callable[[InputForm], None] | None
) -> Iterator[RawDocument | InputProblem]:
    """Whitespace-separated documents: one (maybe pretty-printed) or one per line."""
    index = 0
    ndjson: bool | None = None
    while reader.skip_ws() is not None:
        index += 1
        start = reader.pos
        try:
            value, line = reader.decode()
        except _Located as exc:
            if ndjson is None and on_form:
                on_form("single")
            yield InputProblem(index, exc.message, exc.line, exc.column)
            if not ndjson or not _skip_line(reader):
                return
            continue
        if ndjson is None:
            ndjson = "\n" not in reader.buf[start:reader.pos] and reader.skip_ws() is not None
            if on_form:
                on_form("ndjson" if ndjson else "single")
        elif not ndjson:
            line_, col = reader.where(start)
            yield InputProblem(index, "more than one JSON document; write one document per "
                               "line (NDJSON) or put them in an array", line_, col)
            return
        yield RawDocument(index, value, line)
        reader.compact()


def _skip_line(reader: _Reader) -> bool:
    """Move past the rest of the current line (NDJSON recovery); False at the end."""
    while True:
        newline = reader.buf.find("\n", reader.pos)
        if newline >= 0:
            reader.pos = newline + 1
            reader.compact()
            return True
        reader.pos = len(reader.buf)
        if not reader.more():
            return False


# --- writing JSON with exact decimals -------------------------------------------------------

def _encode(value: Any, out: list[str], indent: str | None, level: int) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} cannot be written as JSON")
        out.append(format(value, "f"))
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, datetime.date):
        out.append(f'"{value.isoformat()}"')
    elif isinstance(value, float):
        raise TypeError("a float reached the JSON writer; money must be Decimal")
    elif isinstance(value, Mapping):
        if not value:
            out.append("{}")
            return
        pad = "\n" + indent * (level + 1) if indent is not None else ""
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            out.append(("," if i else "") + pad + json.dumps(str(key), ensure_ascii=False)
                       + (": " if indent is not None else ":"))
            _encode(item, out, indent, level + 1)
        out.append(("\n" + indent * level if indent is not None else "") + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        pad = "\n" + indent * (level + 1) if indent is not None else ""
        out.append("[")
        for i, item in enumerate(value):
            out.append(("," if i else "") + pad)
            _encode(item, out, indent, level + 1)
        out.append(("\n" + indent * level if indent is not None else "") + "]")
    else:
        raise TypeError(f"cannot write a {type(value).__name__} as JSON")


def dump_json(value: Any, indent: int | None = None, level: int = 0) -> str:
    """JSON text where a Decimal is written as the exact number it holds (never a float)."""
    out: list[str] = []
    _encode(value, out, None if indent is None else " " * indent, level)
    return "".join(out)


# --- schema-driven coercion between wire JSON and plain data ---------------------------------

_NUMBER = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")
_COMMA_NUMBER = re.compile(r"^\s*[-+]?\d{1,3}([ .\u202f\u00a0]?\d{3})*,\d+\s*$")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
                   r"(?:Z|[+-]\d{2}:?\d{2})?)?$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class _Bad(Exception):
    """A value that does not fit its field; the message is a plain sentence."""


def to_decimal(value: Any) -> Decimal:
    """A Decimal from a JSON number or a numeric string; a decimal comma is refused clearly."""
    if isinstance(value, bool):
        raise _Bad(f"value {value!r} is not a number")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        raise _Bad("a float reached passeur; numbers must be read as Decimal")
    if isinstance(value, str):
        if _NUMBER.match(value):
            try:
                return Decimal(value.strip())
            except InvalidOperation:  # pragma: no cover - the pattern already checked it
                pass
        if _COMMA_NUMBER.match(value):
            fixed = re.sub(r"[ .\u202f\u00a0]", "", value.strip()).replace(",", ".")
            raise _Bad(f'value "{value}" uses a decimal comma; write it with a point: {fixed}')
        raise _Bad(f'value "{value}" is not a number')
    raise _Bad(f"value {_show(value)} is not a number")


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


@attrs.frozen
class WireFormat:
    """How one document type of one system is read from and written to JSON.

    Registered through `passeur_register_formats`; `name` is `system.doctype`. `read(value,
    source)` returns the plain record (or None when it cannot be read) and the issues found;
    `write(plain)` returns the JSON value the system's create endpoint takes. `tax_rounding`
    ("line" or "document") and `max_taxes_per_line` / `line_kinds` say what the system can
    represent, so the engine can check totals and report what a target would lose
    (`max_taxes_per_line=0`: the system computes taxes itself and takes no rates).
    `to_hub(model)` completes a canonical document just read from this system (e.g. line
    tax rates the system only gives as document amounts); `from_hub(model)` prepares one
    about to be written to it (e.g. line totals fitted to the cent). Both return the
    document and the issues found.
    """

    name: str
    system: str
    doctype: str
    read: ReadFn
    write: WriteFn
    tax_rounding: str = "document"
    max_taxes_per_line: int | None = None
    line_kinds: frozenset[str] | None = None
    description: str = ""
    to_hub: HubFn | None = None
    from_hub: HubFn | None = None
