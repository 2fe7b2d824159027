"""Readers and writers: how a system's documents are cut out of an input and put into an
output, whatever the container (JSON, XML, CSV, fixed-width text, a binary file).

A `DocumentReader` turns bytes into documents, one at a time (`RawDocument`: its number,
the line it starts on, and a value) or the problem with one (`InputProblem`); the value is
what the system's `WireFormat.read` takes (a JSON value, an lxml element, CSV rows, bytes).
A `DocumentWriter` does the reverse with what `WireFormat.write` returns. A plugin picks a
ready-made one below (configured, or subclassed where a hook method says so) or writes its
own on the two base classes; it names them on its `WireFormat` (`reader=`, `writer=`).

The JSON reader is `passeur.engine.io.iter_documents` (streamed, per-line recovery for
NDJSON) behind this interface.
"""

from __future__ import annotations

import abc
import csv
import datetime
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, BinaryIO, ClassVar, Protocol

from passeur.engine.io import InputForm, InputProblem, RawDocument, dump_json, iter_documents
from passeur.issues import Issue

__all__ = [
    "BinaryReader",
    "BinaryWriter",
    "ByteSink",
    "CsvReader",
    "CsvWriter",
    "DocumentReader",
    "DocumentWriter",
    "FileFunctionReader",
    "FileFunctionWriter",
    "FixedWidthField",
    "FixedWidthReader",
    "InputForm",
    "InputProblem",
    "JsonReader",
    "JsonWriter",
    "RawDocument",
    "XmlReader",
    "XmlWriter",
    "read_all",
    "write_all",
]

OnForm = Callable[[InputForm], None]


class ByteSink(Protocol):
    """Where a writer puts bytes: a binary file, a buffer, or passeur's output stream."""

    def write(self, data: bytes, /) -> object: ...


class DocumentReader(abc.ABC):
    """Cuts one input into documents. Subclasses implement `read`; `kind` names the
    container ("json", "xml", "csv", "text", "binary") for messages and docs."""

    kind: ClassVar[str] = "binary"

    @abc.abstractmethod
    def read(self, stream: BinaryIO, source: str = "",
             on_form: OnForm | None = None) -> Iterator[RawDocument | InputProblem]:
        """Yield each document of `stream` (bytes) in order, or the problem with it; a
        problem never stops the documents after it when the container allows resuming.
        `on_form` is told "single", "array" or "ndjson" (how many documents the input
        holds and how) as soon as it is known, so a JSON output can mirror it."""


class DocumentWriter(abc.ABC):
    """Puts documents into one output (bytes). `write` each value, then `close` (which
    finishes the container, e.g. the closing `]`, and leaves the sink open)."""

    kind: ClassVar[str] = "binary"

    def __init__(self, sink: ByteSink, form: InputForm = "single") -> None:
        self.sink = sink
        self.form: InputForm = form
        self.count = 0
        self.issues: list[Issue] = []  # what writing found (read them after close)

    @abc.abstractmethod
    def write(self, value: Any) -> None:
        """Append one document (as the system's `WireFormat.write` returned it)."""

    def close(self) -> None:  # noqa: B027 - most containers need no ending
        """Finish the output."""


WriterFactory = Callable[[ByteSink, InputForm], DocumentWriter]


def read_all(reader: DocumentReader, data: bytes, source: str = ""
             ) -> list[RawDocument | InputProblem]:
    """Every document of `data` (tests, small inputs)."""
    return list(reader.read(io.BytesIO(data), source))


def write_all(writer: WriterFactory, values: Iterable[Any], form: InputForm = "single"
              ) -> bytes:
    """The bytes `writer` gives for `values` (tests, small outputs)."""
    sink = io.BytesIO()
    out = writer(sink, form)
    for value in values:
        out.write(value)
    out.close()
    return sink.getvalue()


def _text(stream: BinaryIO, encoding: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(stream, encoding=encoding, newline="")


def _undecodable(index: int, exc: UnicodeDecodeError, encoding: str) -> InputProblem:
    byte = exc.object[exc.start]
    return InputProblem(index, f"the input is not {encoding} text (byte {byte:#04x} cannot "
                        f"be read); save it as {encoding}")


class FileFunctionReader(DocumentReader):
    """A `read_file(stream, name)` function (yielding (value, issues, line) per document)
    behind the reader interface: a None value is a document that could not be read."""

    def __init__(self, read_file: Callable[[BinaryIO, str], Iterable[Any]]) -> None:
        self.read_file = read_file

    def read(self, stream: BinaryIO, source: str = "",
             on_form: OnForm | None = None) -> Iterator[RawDocument | InputProblem]:
        if on_form:
            on_form("array")  # a file of several documents gives a JSON array
        for index, (value, found, line) in enumerate(self.read_file(stream, source
                                                                    or "<input>"), 1):
            yield RawDocument(index, value, line, tuple(found))


class FileFunctionWriter(DocumentWriter):
    """A `write_file(values, sink)` function (writing every document into one file, and
    returning the issues found) behind the writer interface: it runs at `close`."""

    def __init__(self, write_file: Callable[[list[Any], Any], list[Issue]], sink: ByteSink,
                 form: InputForm = "single") -> None:
        super().__init__(sink, form)
        self.write_file = write_file
        self.kept: list[Any] = []

    def write(self, value: Any) -> None:
        self.kept.append(value)
        self.count += 1

    def close(self) -> None:
        self.issues = list(self.write_file(self.kept, self.sink))
        self.kept = []


# --- JSON ---------------------------------------------------------------------------------

class JsonReader(DocumentReader):
    """One JSON document, a JSON array of documents, or NDJSON; numbers as Decimal."""

    kind = "json"

    def read(self, stream: BinaryIO, source: str = "",
             on_form: OnForm | None = None) -> Iterator[RawDocument | InputProblem]:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig")
        try:
            yield from iter_documents(text, on_form)
        finally:
            text.detach()  # the caller owns the stream


class JsonWriter(DocumentWriter):
    """Mirrors the input's form: one pretty document, a pretty array, or NDJSON."""

    kind = "json"

    def write(self, value: Any) -> None:
        if self.form == "ndjson":
            text = dump_json(value) + "\n"
        elif self.form == "array":
            text = ("[\n  " if self.count == 0 else ",\n  ") + dump_json(value, indent=2,
                                                                          level=1)
        else:
            text = ("\n" if self.count else "") + dump_json(value, indent=2) + "\n"
        self.sink.write(text.encode("utf-8"))
        self.count += 1

    def close(self) -> None:
        if self.form == "array":
            self.sink.write(b"[]\n" if self.count == 0 else b"\n]\n")


# --- CSV ----------------------------------------------------------------------------------

class CsvReader(DocumentReader):
    """A CSV file with a header line; each row becomes a dict of text by column name.

    Without `group_by`, each row is a document. With it, consecutive rows that share the
    value of that column are one document (an invoice export with one row per line), given
    to `document(rows)`, which returns the value `WireFormat.read` takes (the list of rows
    unless a subclass shapes it). A row with too many or too few fields is a problem of
    its document, which is then left out; the next documents are still read.
    """

    kind = "csv"

    def __init__(self, *, delimiter: str = ",", quotechar: str = '"',
                 encoding: str = "utf-8-sig", group_by: str | None = None,
                 required_columns: Sequence[str] = ()) -> None:
        self.delimiter = delimiter
        self.quotechar = quotechar
        self.encoding = encoding
        self.group_by = group_by
        self.required_columns = tuple(required_columns)

    def document(self, rows: list[dict[str, str]]) -> Any:
        """The document value of a group of rows (override to shape it)."""
        return rows if self.group_by is not None else rows[0]

    def read(self, stream: BinaryIO, source: str = "",
             on_form: OnForm | None = None) -> Iterator[RawDocument | InputProblem]:
        text = _text(stream, self.encoding)
        index = 0
        try:
            rows = csv.reader(text, delimiter=self.delimiter, quotechar=self.quotechar,
                              strict=True)
            try:
                header = next(rows, None)
            except csv.Error as exc:
                yield InputProblem(1, f"malformed CSV: {exc}", 1, None)
                return
            if header is None:
                if on_form:
                    on_form("single")
                return
            missing = [c for c in (*self.required_columns,
                                   *([self.group_by] if self.group_by else []))
                       if c not in header]
            if missing:
                yield InputProblem(1, f"the header line has no column {', '.join(missing)} "
                                   f"(columns: {', '.join(header)})", 1, 1)
                return
            if on_form:
                on_form("array")
            yield from self._documents(rows, header)
        except UnicodeDecodeError as exc:
            yield _undecodable(index + 1, exc, self.encoding)
        finally:
            text.detach()

    def _documents(self, rows: Any, header: list[str]
                   ) -> Iterator[RawDocument | InputProblem]:
        index = 0
        group: list[dict[str, str]] = []
        group_line = 0
        problem: InputProblem | None = None
        key: str | None = None
        while True:
            start = rows.line_num + 1
            bad: str | None = None
            try:
                fields = next(rows, None)
            except csv.Error as exc:
                fields, bad = [], f"malformed CSV: {exc}"
            line = start
            if fields is None:
                break
            if not fields and bad is None:
                continue  # a blank line
            row_key = None
            if bad is None and len(fields) != len(header):
                bad = (f"line {line} has {len(fields)} fields; the header has {len(header)}")
            row = dict(zip(header, fields, strict=False))
            if self.group_by is not None and bad is None:
                row_key = row[self.group_by]
            starts = self.group_by is None or not group or (bad is None and row_key != key)
            if starts and (group or problem):
                yield problem or RawDocument(index, self.document(group), group_line)
                group, problem = [], None
            if starts:
                index += 1
                group_line = line
                key = row_key
            if bad is not None:
                problem = problem or InputProblem(index, bad, line, 1)
            else:
                group.append(row)
        if group or problem:
            yield problem or RawDocument(index, self.document(group), group_line)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        raise TypeError("a float reached the CSV writer; money must be Decimal")
    return str(value)


class CsvWriter(DocumentWriter):
    """Writes `columns` as the header, then each document's rows: a document is one row
    (a dict) or a list of rows. A key outside `columns` is refused, not dropped."""

    kind = "csv"

    def __init__(self, sink: ByteSink, form: InputForm = "single", *,
                 columns: Sequence[str] = (), delimiter: str = ",",
                 encoding: str = "utf-8") -> None:
        super().__init__(sink, form)
        self.columns = tuple(columns)
        self.delimiter = delimiter
        self.encoding = encoding

    @classmethod
    def factory(cls, columns: Sequence[str], **options: Any) -> WriterFactory:
        """A writer factory for `WireFormat(writer=...)` with these columns."""
        def make(sink: ByteSink, form: InputForm) -> DocumentWriter:
            return cls(sink, form, columns=columns, **options)
        return make

    def _line(self, fields: Iterable[str]) -> None:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=self.delimiter, lineterminator="\r\n").writerow(fields)
        self.sink.write(buffer.getvalue().encode(self.encoding))

    def write(self, value: Any) -> None:
        rows = value if isinstance(value, list) else [value]
        if self.count == 0:
            self._line(self.columns)
        for row in rows:
            if not isinstance(row, Mapping):
                raise TypeError(f"a CSV row must be a mapping of columns, not "
                                f"{type(row).__name__}")
            unknown = [k for k in row if k not in self.columns]
            if unknown:
                raise ValueError(f"no CSV column for {', '.join(map(str, unknown))} "
                                 f"(columns: {', '.join(self.columns)})")
            self._line(_cell(row.get(c)) for c in self.columns)
        self.count += 1

    def close(self) -> None:
        if self.count == 0:
            self._line(self.columns)


# --- fixed-width text ---------------------------------------------------------------------

class FixedWidthField:
    """One field of a fixed-width record: 1-based `start` column and `width`."""

    __slots__ = ("name", "start", "width")

    def __init__(self, name: str, start: int, width: int) -> None:
        self.name = name
        self.start = start
        self.width = width

    def cut(self, line: str) -> str:
        return line[self.start - 1:self.start - 1 + self.width]


class FixedWidthReader(DocumentReader):
    """Fixed-width records (CODA, bank and payroll exports), one per line.

    `layouts` maps a record type to its fields; `record_type(line)` names a line's type
    (by default its first character); a record whose type is in `starts` begins a new
    document. Each document is given to `document(records)`, a list of
    (type, {field: text}, line number), and returns the value `WireFormat.read` takes.
    A line of an unknown type or of the wrong length is a problem of its document.
    """

    kind = "text"

    def __init__(self, layouts: Mapping[str, Sequence[FixedWidthField]], *,
                 starts: Iterable[str], line_length: int | None = None,
                 encoding: str = "utf-8") -> None:
        self.layouts = dict(layouts)
        self.starts = frozenset(starts)
        self.line_length = line_length
        self.encoding = encoding

    def record_type(self, line: str) -> str:
        return line[:1]

    def document(self, records: list[tuple[str, dict[str, str], int]]) -> Any:
        return records

    def _record(self, line: str, number: int) -> tuple[str, dict[str, str], int] | str:
        if self.line_length is not None and len(line) != self.line_length:
            return f"line {number} has {len(line)} characters; records have {self.line_length}"
        kind = self.record_type(line)
        layout = self.layouts.get(kind)
        if layout is None:
            return f"line {number} is a record of unknown type {kind!r}"
        return kind, {f.name: f.cut(line) for f in layout}, number

    def read(self, stream: BinaryIO, source: str = "",
             on_form: OnForm | None = None) -> Iterator[RawDocument | InputProblem]:
        text = _text(stream, self.encoding)
        if on_form:
            on_form("array")
        index = 0
        records: list[tuple[str, dict[str, str], int]] = []
        problem: InputProblem | None = None
        first = 0
        try:
            for number, raw in enumerate(text, start=1):
                line = raw.rstrip("\r\n")
                if not line.strip():
                    continue
                record = self._record(line, number)
                starts = not isinstance(record, str) and record[0] in self.starts
                if starts or index == 0:
                    if records or problem:
                        yield problem or RawDocument(index, self.document(records), first)
                    records, problem, first = [], None, number
                    index += 1
                if isinstance(record, str):
                    problem = problem or InputProblem(index, record, number, 1)
                else:
                    records.append(record)
            if records or problem:
                yield problem or RawDocument(index, self.document(records), first)
        except UnicodeDecodeError as exc:
            yield _undecodable(index or 1, exc, self.encoding)
        finally:
            text.detach()


# --- XML ----------------------------------------------------------------------------------

class XmlReader(DocumentReader):
    """XML documents as lxml elements, parsed safely (no network, no entity expansion).

    Without `document_tag`, the whole input is one document (its root element). With it
    (Clark notation, `{namespace}Invoice`), each such element is a document, streamed:
    a 1 GB file of invoices is read one invoice at a time.
    """

    kind = "xml"

    def __init__(self, document_tag: str | None = None) -> None:
        self.document_tag = document_tag

    def read(self, stream: BinaryIO, source: str = "",
             on_form: OnForm | None = None) -> Iterator[RawDocument | InputProblem]:
        from lxml import etree  # only XML systems pay for it

        if self.document_tag is None:
            if on_form:
                on_form("single")
            parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
            try:
                tree = etree.parse(stream, parser)
            except etree.XMLSyntaxError as exc:
                line, column = (exc.position if exc.position else (None, None))
                yield InputProblem(1, f"malformed XML: {exc.msg}", line, column)
                return
            root = tree.getroot()
            yield RawDocument(1, root, root.sourceline or 1)
            return
        if on_form:
            on_form("array")
        index = 0
        events = etree.iterparse(stream, events=("end",), tag=self.document_tag,
                                 resolve_entities=False, no_network=True)
        try:
            for _event, element in events:
                index += 1
                yield RawDocument(index, element, element.sourceline or 1)
                element.clear(keep_tail=True)
        except etree.XMLSyntaxError as exc:
            line, column = (exc.position if exc.position else (None, None))
            yield InputProblem(index + 1, f"malformed XML: {exc.msg}", line, column)


class XmlWriter(DocumentWriter):
    """One XML document per output (an lxml element, or bytes already serialised); a
    second document is refused: write one file per document."""

    kind = "xml"

    def write(self, value: Any) -> None:
        if self.count:
            raise ValueError("an XML output holds one document; convert one document per "
                             "file")
        if isinstance(value, bytes):
            data = value
        else:
            from lxml import etree

            data = etree.tostring(value, xml_declaration=True, encoding="UTF-8",
                                  pretty_print=True)
        self.sink.write(data)
        self.count += 1


# --- binary -------------------------------------------------------------------------------

class BinaryReader(DocumentReader):
    """The whole input is one document, given as bytes (a PDF, a ZIP archive)."""

    kind = "binary"

    def __init__(self, max_size: int = 64 << 20) -> None:
        self.max_size = max_size

    def read(self, stream: BinaryIO, source: str = "",
             on_form: OnForm | None = None) -> Iterator[RawDocument | InputProblem]:
        if on_form:
            on_form("single")
        data = stream.read(self.max_size + 1)
        if len(data) > self.max_size:
            yield InputProblem(1, f"the input is larger than {self.max_size} bytes")
            return
        yield RawDocument(1, data, 1)


class BinaryWriter(DocumentWriter):
    """Writes one document given as bytes; a second one is refused."""

    kind = "binary"

    def write(self, value: Any) -> None:
        if self.count:
            raise ValueError("a binary output holds one document; convert one per file")
        if not isinstance(value, bytes):
            raise TypeError(f"a binary document is bytes, not {type(value).__name__}")
        self.sink.write(value)
        self.count += 1


JSON_READER = JsonReader()
