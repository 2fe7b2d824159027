"""Reading and writing documents as JSON, streamed, with exact decimals.

Input is one JSON document, a JSON array of documents, or NDJSON (one per line); all three
are read one document at a time so a 1 GB file converts in constant memory. A malformed
document is reported with its number, line and column, and the documents after it are still
read when the form allows it (NDJSON: the next line; an array or a single document cannot be
resynchronised, so reading stops there). Numbers are `Decimal` from the moment they are read,
and `dump_json` writes them back exactly, never through a float.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, Literal, TextIO

import attrs

__all__ = ["InputForm", "InputProblem", "RawDocument", "dump_json", "iter_documents"]

InputForm = Literal["single", "array", "ndjson"]
CHUNK = 1 << 16
MAX_DOCUMENT = 64 << 20  # one document bigger than this is refused rather than buffered
_TAIL = 16  # a parse error this close to the end of the buffer may just need more text


@attrs.frozen
class RawDocument:
    """One parsed document: its 1-based number in the input, the line it starts on, and
    the issues a reader found reading it (`passeur.Issue`s; a None value with an ERROR
    among them is a document that could not be read)."""

    index: int
    value: Any
    line: int | None
    issues: tuple[Any, ...] = ()


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
    count = 0
    try:
        first = reader.skip_ws()
        if first is None:
            if on_form:
                on_form("single")
            return
        if first == "[":
            if on_form:
                on_form("array")
            parts = _iter_array(reader)
        else:
            parts = _iter_sequence(reader, on_form)
        for part in parts:
            count = part.index
            yield part
    except UnicodeDecodeError as exc:
        byte = exc.object[exc.start]
        yield InputProblem(count + 1, f"the input is not UTF-8 text (byte {byte:#04x} cannot "
                           "be read); save it as UTF-8")


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
