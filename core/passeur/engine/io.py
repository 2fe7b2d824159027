"""Reading and writing documents as JSON, streamed, with exact decimals.

Input is one JSON document, a JSON array of documents, or NDJSON (one per line); all three
are read one document at a time so a 1 GB file converts in constant memory, and in time
linear in its size (a long string is decoded once, not once per chunk). Numbers are `Decimal`
from the moment they are read, and `dump_json` writes them back exactly, never through a
float.

A document that cannot be read is reported (`InputProblem`) with its number, line, column
and, when the problem is inside it, the data path of the field; the other documents are still
read when the form allows it. NDJSON is read line by line: a malformed line, a NaN, a
truncated line or a byte that is not UTF-8 costs that line only, the first line included.
An array or a single document whose JSON structure is broken cannot be resynchronised, so
reading stops there; a problem inside a well-formed element (a bad byte in a string, a number
out of range) costs that element only.

Limits (each beyond it is a per-document problem naming the field, never a traceback; see
docs/limits.md): `MAX_DOCUMENT` characters per document, `MAX_DEPTH` levels of nesting,
`MAX_STRING` characters per string, and numbers of at most `MAX_NUMBER_DIGITS` digits before
the point and as many after it (`1e999999` would be a megabyte of zeros once written out).
Lone surrogates (`"\\ud800"`) are refused: they are not characters and cannot be written as
UTF-8.
"""

from __future__ import annotations

import datetime
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import IO, Any, Literal

import attrs

from passeur.limits import (
    MAX_DEPTH,
    MAX_DOCUMENT,
    MAX_NUMBER_DIGITS,
    MAX_STRING,
    number_problem,
    number_within_limits,
)

__all__ = ["MAX_DEPTH", "MAX_DOCUMENT", "MAX_NUMBER_DIGITS", "MAX_STRING", "InputForm",
           "InputProblem", "RawDocument", "dump_json", "iter_documents"]

InputForm = Literal["single", "array", "ndjson"]
CHUNK = 1 << 16
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
    """A document that could not be read; `index` is its 1-based number in the input.

    `path` is the data path of the field at fault (`$.lines[2].quantity`) when the problem
    is inside a document that is otherwise well-formed JSON.
    """

    index: int
    message: str
    line: int | None = None
    column: int | None = None
    path: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.line:
            where = (f"line {self.line}, column {self.column}: " if self.column
                     else f"line {self.line}: ")
        field = f"{self.path}: " if self.path else ""
        return f"document {self.index}: {where}{field}{self.message}"


class _Refused(Decimal):
    """A number beyond the limits, kept as a marker until its path is known."""


class _LongInt(Decimal):
    """An integer with more digits than the limits allow (Python would refuse it past 4300)."""


class _Decoder(json.JSONDecoder):
    """Decimals for numbers, NaN refused, numbers beyond the limits marked (`suspect`)."""

    def __init__(self) -> None:
        self.suspect = False
        self.constant: str | None = None
        super().__init__(parse_float=self._float, parse_int=self._int,
                         parse_constant=self._constant)

    def _float(self, token: str) -> Decimal:
        if len(token) <= MAX_NUMBER_DIGITS and "e" not in token and "E" not in token:
            return Decimal(token)
        number = Decimal(token)
        if number_within_limits(number):
            return number
        self.suspect = True
        return _Refused(token)

    def _int(self, token: str) -> int | Decimal:
        if len(token) <= MAX_NUMBER_DIGITS:
            return int(token)
        self.suspect = True
        return _LongInt(token)

    def _constant(self, name: str) -> Any:
        self.constant = name
        raise ValueError(f"{name} is not a number JSON allows")


_WS = re.compile(r"[ \t\n\r]*")
_LONE = re.compile("[\ud800-\udfff]")  # raw: a byte that was not UTF-8, or a lone surrogate
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)')


class _Located(Exception):
    def __init__(self, message: str, line: int | None, column: int | None,
                 path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.path = path


class _Reader:
    """A text buffer over a stream that knows the line and column of any later offset.

    Offsets are asked in increasing order, so line numbers are counted once (linear time);
    the buffer grows geometrically while one document is incomplete, so a long document is
    decoded O(log n) times, O(n) characters in all.
    """

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.buf = ""
        self.pos = 0
        self.eof = False
        self._mark = 0  # an offset of buf whose line is known...
        self._line = 1  # ...its line number...
        self._line_start = 0  # ...and the offset where that line starts (may be negative)
        self.keep: int | None = None  # an offset compaction must not drop (moved with it)
        self.decoder = _Decoder()

    def more(self, at_least: int = 0) -> bool:
        """Read at least one chunk (or `at_least` characters) more; False at the end."""
        if self.eof:
            return False
        self.compact()
        want = max(CHUNK, at_least)
        parts: list[str] = []
        got = 0
        while got < want:
            chunk = self.stream.read(want - got)
            if not chunk:
                self.eof = True
                break
            parts.append(chunk)
            got += len(chunk)
        if not parts:
            return False
        if not self.buf and self._line == 1 and self._mark == 0 and parts[0][:1] == "\ufeff":
            parts[0] = parts[0][1:]  # a UTF-8 byte order mark is no part of the text
            self._line_start = 0
        self.buf += "".join(parts)
        return True

    def compact(self) -> None:
        """Drop consumed text, keeping track of where lines start."""
        drop = self.pos if self.keep is None else min(self.pos, self.keep)
        if drop == 0:
            return
        self.where(drop)
        self.buf = self.buf[drop:]
        self._mark -= drop
        self._line_start -= drop
        self.pos -= drop
        if self.keep is not None:
            self.keep -= drop

    def where(self, offset: int) -> tuple[int, int]:
        """Line and column (1-based) of buf[offset], for an offset at or after the last one
        asked (earlier ones are counted back from there)."""
        if offset >= self._mark:
            newlines = self.buf.count("\n", self._mark, offset)
            if newlines:
                self._line += newlines
                self._line_start = self.buf.rfind("\n", self._mark, offset) + 1
            self._mark = offset
            return self._line, offset - self._line_start + 1
        back = self.buf.count("\n", offset, self._mark)
        start = self.buf.rfind("\n", 0, offset) + 1 if back else self._line_start
        return self._line - back, offset - start + 1

    def skip_ws(self) -> str | None:
        """The next non-blank character (not consumed), or None at the end."""
        while True:
            match = _WS.match(self.buf, self.pos)
            self.pos = match.end() if match else self.pos
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return None

    def line_end(self) -> int | None:
        """Offset of the end of the current line (its newline, or the end of the input),
        reading as needed; None when the line is longer than a document may be."""
        scan = self.pos
        while True:
            newline = self.buf.find("\n", scan)
            if newline >= 0:
                return newline
            if len(self.buf) - self.pos > MAX_DOCUMENT:
                return None
            ahead = len(self.buf) - self.pos
            if not self.more(at_least=ahead):
                return len(self.buf)
            scan = self.pos + ahead

    def skip_line(self) -> None:
        """Move past the current line without keeping it (a line too long to read)."""
        while True:
            newline = self.buf.find("\n", self.pos)
            if newline >= 0:
                self.pos = newline + 1
                return
            self.pos = len(self.buf)
            if not self.more():
                return

    def decode(self) -> tuple[Any, int, int]:
        """Decode one JSON value at the current position, reading more text as needed.

        Returns the value, the line it starts on and its end offset (`pos` is left at its
        start); raises _Located when the text is not JSON or breaks a limit.
        """
        start_line, start_col = self.where(self.pos)
        while True:
            self.decoder.suspect = False
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                size = len(self.buf) - self.pos
                incomplete = (exc.pos >= len(self.buf) - _TAIL
                              or exc.msg.startswith("Unterminated"))
                if incomplete and not self.eof:
                    if size > MAX_DOCUMENT:
                        raise _too_large(start_line, start_col) from None
                    if self.more(at_least=size):
                        continue
                raise self._malformed(exc.msg, exc.pos) from None
            except RecursionError:
                raise _Located(f"nested deeper than {MAX_DEPTH} levels (the limit)",
                               start_line, start_col) from None
            except ValueError as exc:  # NaN, Infinity
                raise self._constant(str(exc), self.pos, len(self.buf)) from None
            # a number at the very end of the buffer may go on in the next chunk
            if (end == len(self.buf) and not self.eof and _may_continue(value)
                    and self.more()):
                continue
            if end - self.pos > MAX_DOCUMENT:
                raise _too_large(start_line, start_col)
            return value, start_line, end

    def _malformed(self, msg: str, offset: int) -> _Located:
        line, col = self.where(offset)
        char = self.buf[offset] if offset < len(self.buf) else ""
        if _LONE.fullmatch(char):
            return _Located(_unreadable(char), line, col)
        return _Located(_plain_json_error(msg), line, col)

    def _constant(self, message: str, start: int, end: int) -> _Located:
        name = self.decoder.constant
        for match in _CONSTANT.finditer(self.buf, start, end):
            if match.group(1) == name:
                line, col = self.where(match.start(1))
                return _Located(message, line, col)
        line, col = self.where(start)
        return _Located(message, line, col)

    def check(self, value: Any, text: str, offset: int) -> None:
        """Refuse a parsed document that breaks a limit, naming the field (see the module
        docstring); `text` is the document as read, starting at buf[offset]."""
        if not text.isascii():
            bad = _LONE.search(text)
            if bad is not None:
                line, col = self.where(offset + bad.start())
                found = limit_problem(value, strings=True)
                raise _Located(_unreadable(bad.group()), line, col, found and found[0])
        strings = len(text) > MAX_STRING or (
            "\\u" in text and _ESCAPED_SURROGATE.search(text) is not None)
        deep = text.count("{") + text.count("[") > MAX_DEPTH
        if self.decoder.suspect or strings or deep:
            problem = limit_problem(value, strings=strings)
            if problem is not None:
                line, _ = self.where(offset)
                raise _Located(problem[1], line, None, problem[0])


def _too_large(line: int, col: int) -> _Located:
    return _Located(f"the document is larger than {MAX_DOCUMENT >> 20} MiB (the limit)",
                    line, col)


def _unreadable(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return (f"byte {code - 0xDC00:#04x} is not UTF-8 text; save the file as UTF-8")
    return f"U+{code:04X} is a lone surrogate, not a character"


def _key(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if isinstance(key, str) and _NAME.fullmatch(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key, ensure_ascii=True)}]"


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _bad_text(text: str) -> str | None:
    if len(text) > MAX_STRING:
        return f"text of {len(text)} characters is longer than the limit ({MAX_STRING})"
    lone = _LONE.search(text)
    return _unreadable(lone.group()) if lone is not None else None


def _bad_scalar(item: Any, strings: bool) -> str | None:
    kind = type(item)
    if kind is _Refused or kind is _LongInt:
        return number_problem(Decimal(item))
    if strings and kind is str:
        return _bad_text(item)
    return None


def _all_within(value: Any, strings: bool) -> bool:
    """The fast pass of `limit_problem`: no paths are built."""
    stack: list[tuple[Any, int]] = [([value], 0)]
    while stack:
        item, level = stack.pop()
        if level > MAX_DEPTH:
            return False
        if strings and type(item) is dict and any(_LONE.search(k) for k in item):
            return False
        for child in (item.values() if type(item) is dict else item):
            kind = type(child)
            if kind is dict or kind is list:
                stack.append((child, level + 1))
            elif (kind is _Refused or kind is _LongInt
                  or (strings and kind is str and _bad_text(child) is not None)):
                return False
    return True


def limit_problem(value: Any, *, strings: bool = True) -> tuple[str, str] | None:
    """The data path and message of the first value that breaks a limit, or None.

    Walks the document without recursion (it may be deeper than Python's stack allows);
    strings are looked at only when `strings` (they can only break a limit when the text
    is long or has a \\u escape of a surrogate)."""
    if _all_within(value, strings):
        return None
    stack: list[tuple[Any, int, str]] = [(value, 1, "$")]
    while stack:
        item, level, path = stack.pop()
        kind = type(item)
        if kind is dict or kind is list:
            if level > MAX_DEPTH:
                return path, f"nested deeper than {MAX_DEPTH} levels (the limit)"
            pairs = item.items() if kind is dict else enumerate(item)
            children = []
            for key, child in pairs:
                if type(key) is str and _LONE.search(key):
                    return _key(path, key), "the key has a lone surrogate, not a character"
                children.append((child, level + 1, _key(path, key)))
            stack.extend(reversed(children))  # the first field first
            continue
        problem = _bad_scalar(item, strings)
        if problem is not None:
            return path, problem
    return None  # pragma: no cover - the fast pass found something


def _may_continue(value: Any) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _plain_json_error(msg: str) -> str:
    return f"malformed JSON: {msg[0].lower()}{msg[1:]}" if msg else "malformed JSON"


def _text_stream(stream: IO[Any]) -> tuple[IO[str], io.TextIOWrapper | None]:
    """The input as text in which a byte that is not UTF-8 becomes a lone surrogate
    (U+DC80-U+DCFF), so that it costs its document only; the wrapper to detach, if any."""
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
    buffer = getattr(stream, "buffer", None)
    if buffer is not None and encoding in ("utf-8", "utf-8-sig", "utf8"):
        wrapper = io.TextIOWrapper(buffer, encoding="utf-8", errors="surrogateescape",
                                   newline="")
        return wrapper, wrapper
    if buffer is None and isinstance(stream.read(0), bytes):
        wrapper = io.TextIOWrapper(stream, encoding="utf-8", errors="surrogateescape",
                                   newline="")
        return wrapper, wrapper
    return stream, None


def iter_documents(
    stream: IO[Any], on_form: Callable[[InputForm], None] | None = None
) -> Iterator[RawDocument | InputProblem]:
    """Yield each document of a JSON, JSON array or NDJSON stream, or the problem with it.

    `stream` is text or bytes (UTF-8, with or without a byte order mark). `on_form` is told
    which of the three forms the input is, as soon as it is known, so an output can mirror it.
    """
    text, wrapper = _text_stream(stream)
    reader = _Reader(text)
    try:
        first = reader.skip_ws()
        if first is None:
            if on_form:
                on_form("single")
            return
        if first == "[":
            if on_form:
                on_form("array")
            yield from _iter_array(reader)
        else:
            yield from _iter_sequence(reader, on_form)
    finally:
        if wrapper is not None:
            wrapper.detach()  # the caller closes its own stream


def _problem(index: int, exc: _Located) -> InputProblem:
    return InputProblem(index, exc.message, exc.line, exc.column, exc.path)


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
            value, line, end = reader.decode()
        except _Located as exc:
            yield _problem(index, exc)
            return
        start, reader.pos = reader.pos, end
        expect_value = False
        try:
            reader.check(value, reader.buf[start:end], start)
        except _Located as exc:
            yield _problem(index, exc)
            continue
        yield RawDocument(index, value, line)
    trailing = reader.skip_ws()
    if trailing is not None:
        line, col = reader.where(reader.pos)
        yield InputProblem(index + 1, "malformed JSON: text after the closing ']'", line, col)


def _iter_sequence(
    reader: _Reader, on_form: Callable[[InputForm], None] | None
) -> Iterator[RawDocument | InputProblem]:
    """One (maybe pretty-printed) document, or one document per line (NDJSON).

    The first line decides: a complete document on it, and more after it, is NDJSON. A first
    line that is not a document on its own is a pretty-printed document's start, unless the
    whole does not parse and the next line is a document on its own: then it is NDJSON whose
    first line is broken (and costs only itself)."""
    end = reader.line_end()
    alone = _line_document(reader, 1, end) if end is not None else None
    if isinstance(alone, RawDocument):
        assert end is not None
        reader.pos = min(end + 1, len(reader.buf))
        ndjson = reader.skip_ws() is not None
        if on_form:
            on_form("ndjson" if ndjson else "single")
        yield alone
        if ndjson:
            yield from _iter_ndjson(reader, 1)
        return
    reader.keep = reader.pos  # the first document's start, whatever is read meanwhile
    length = 0
    try:
        value, line, stop = reader.decode()
        text = reader.buf[reader.pos:stop]
        length = len(text)
        reader.check(value, text, reader.pos)
        document: RawDocument | InputProblem = RawDocument(1, value, line)
        on_one_line = "\n" not in text
    except _Located as exc:
        document = _problem(1, exc)
        on_one_line = True
    if ((isinstance(document, InputProblem) or (on_one_line and alone is not None))
            and _next_line_is_a_document(reader)):
        # the first line is broken (or holds more than a document), the next one is fine
        reader.keep = None
        if on_form:
            on_form("ndjson")
        yield alone if isinstance(alone, InputProblem) else document
        yield from _iter_ndjson(reader, 1)
        return
    reader.pos = reader.keep + length
    reader.keep = None
    if on_form:
        on_form("single")
    yield document
    if isinstance(document, InputProblem):
        return
    if reader.skip_ws() is not None:
        line, col = reader.where(reader.pos)
        yield InputProblem(2, "more than one JSON document; write one document per line "
                           "(NDJSON) or put them in an array", line, col)


def _next_line_is_a_document(reader: _Reader) -> bool:
    """Whether the first non-blank line after the first one is a JSON object or array on its
    own; if so `pos` is left at the start of the second line."""
    assert reader.keep is not None
    reader.pos = reader.keep
    reader.skip_line()
    second = reader.pos - reader.keep  # kept relative: reading on may compact the buffer
    if reader.skip_ws() is None:
        return False
    end = reader.line_end()
    if end is None:
        return False
    text = reader.buf[reader.pos:end].strip()
    reader.pos = reader.keep + second
    if text[:1] not in ("{", "["):
        return False
    try:
        _, stop = _PROBE.raw_decode(text)
    except (ValueError, RecursionError):
        return False
    return stop == len(text)


_PROBE = json.JSONDecoder(parse_float=Decimal, parse_int=Decimal)


def _iter_ndjson(reader: _Reader, index: int) -> Iterator[RawDocument | InputProblem]:
    """Every further line on its own: one that cannot be read costs only itself."""
    while reader.skip_ws() is not None:
        index += 1
        end = reader.line_end()
        if end is None:
            line, col = reader.where(reader.pos)
            yield InputProblem(index, f"the line is longer than {MAX_DOCUMENT >> 20} MiB (the "
                               "limit for one document)", line, col)
            reader.skip_line()
            continue
        yield _line_document(reader, index, end)
        reader.pos = min(end + 1, len(reader.buf))


def _line_document(reader: _Reader, index: int, end: int) -> RawDocument | InputProblem:
    """The document on buf[pos:end] (one NDJSON line), or its problem; `pos` is kept."""
    start = reader.pos
    text = reader.buf[start:end]
    line, col = reader.where(start)
    decoder = reader.decoder
    decoder.suspect = False
    bad = _LONE.search(text) if not text.isascii() else None
    try:
        value, stop = decoder.raw_decode(text)
    except json.JSONDecodeError as exc:
        at = reader.where(start + exc.pos)
        char = text[exc.pos] if exc.pos < len(text) else ""
        if bad is not None and bad.start() <= exc.pos:
            at = reader.where(start + bad.start())
            return InputProblem(index, _unreadable(bad.group()), *at)
        message = _unreadable(char) if _LONE.fullmatch(char) else _plain_json_error(exc.msg)
        return InputProblem(index, message, *at)
    except RecursionError:
        return InputProblem(index, f"nested deeper than {MAX_DEPTH} levels (the limit)",
                            line, col)
    except ValueError as exc:
        match = next((m for m in _CONSTANT.finditer(text) if m.group(1) == decoder.constant),
                     None)
        at = reader.where(start + match.start(1)) if match else (line, col)
        return InputProblem(index, str(exc), *at)
    rest = _WS.match(text, stop)
    if rest is not None and rest.end() != len(text):
        at = reader.where(start + rest.end())
        return InputProblem(index, "text after the document on its line; write one document "
                            "per line", *at)
    try:
        reader.check(value, text, start)
    except _Located as exc:
        return _problem(index, exc)
    return RawDocument(index, value, line)


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
    text = "".join(out)
    if not text.isascii():
        lone = _LONE.search(text)
        if lone is not None:
            raise ValueError(f"U+{ord(lone.group()):04X} is a lone surrogate, not a character "
                             "(it cannot be written as UTF-8)")
    return text
