"""Reading one XML e-invoice for a system: bytes in, its root element or a clear refusal."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from passeur import Issue, Level
from passeur.xml import Syntax, XMLInputError, describe_root, detect_syntax, parse_xml

__all__ = ["as_bytes", "error", "one_file", "root_for", "whole_file"]


def error(message: str, source: str, code: str = "wire.form") -> Issue:
    return Issue(Level.ERROR, message, code, "$", source or None)


def as_bytes(value: Any) -> bytes | None:
    """The input as bytes (XML formats read files as they are, not as JSON)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return None


def root_for(value: Any, source: str, system: str, what: str
             ) -> tuple[Any, Syntax | None, list[Issue]]:
    """The root element of `value` when it is a document `system` reads; else the issue
    that says what it is instead (and which system reads it, when one does)."""
    data = as_bytes(value)
    if data is None:
        return None, None, [error(f"{what} is read from its XML file, not from JSON", source)]
    try:
        root = parse_xml(data, source).getroot()
    except XMLInputError as exc:
        return None, None, [error(str(exc) if exc.line else exc.reason, source, "xml.input")]
    syntax = detect_syntax(root)
    if syntax is None or syntax.system != system:
        hint = f": read it with --from {syntax.system}" if syntax and syntax.system else ""
        if syntax is not None and syntax.key == "cii-zugferd1":
            hint = ("; ZUGFeRD 1.0 is not read by passeur (convert it to Factur-X / "
                    "ZUGFeRD 2, whose CII passeur reads)")
        return None, syntax, [error(f"this is {describe_root(root)}, not {what}{hint}",
                                    source, "wire.wrong_system")]
    return root, syntax, []


def whole_file(stream: BinaryIO, name: str) -> Iterator[tuple[Any, list[Issue], int | None]]:
    """An XML or PDF file is one document: its bytes, read whole (the reader parses them)."""
    yield stream.read(), [], 1


def one_file(documents: Iterable[Any], stream: BinaryIO) -> list[Issue]:
    """Write the one document of an XML or PDF file; several cannot share a file, so only
    the first is written and the others are reported as not written."""
    docs = list(documents)
    if docs:
        stream.write(docs[0])
    if len(docs) > 1:
        return [Issue(Level.ERROR, f"an XML or PDF invoice file holds one document; "
                      f"{len(docs)} were converted and only the first is written: convert "
                      "them one at a time", "output.single", "$")]
    return []
