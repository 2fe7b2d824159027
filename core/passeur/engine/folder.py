"""A folder as a system: files stand in for an API, so pull, push, convert and sync work alike.

A connection file with a `[folder]` table names a folder and a file-name pattern instead of
an account:

    system = "camt053"
    [folder]
    path = "statements"         # relative to the connection file
    pattern = "{number}.xml"    # fields of each document; the extension says which files are read

Reading (`iter_documents`) goes through every file of the folder whose name matches the
pattern's shape (`*.xml` here), in name order; hidden and temporary files are skipped. A
`.json` / `.ndjson` pattern holds the system's JSON documents as they are; any other holds
its own files: read by the format's `read_file` (CODA, camt.053), or each file whole through
`read` (one XML document per file, as UBL). Writing
(`acreate_document`) makes one file per document, named by the pattern, atomically (a
temporary file beside it, then a hard link that cannot replace anything): a file that exists
with the same bytes is the same document already written (nothing to do); a file that exists
with other bytes is a different document and is never overwritten (`Conflict`).
The client has the methods of `passeur.http.DocumentClient`, so pull, push and the sync
engine take it where they take a live API client.
"""

from __future__ import annotations

import datetime
import io
import os
import re
import string
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from passeur.engine.io import InputProblem, dump_json, iter_documents
from passeur.engine.wire import WireFormat
from passeur.errors import InputError, OutputError, UsageError
from passeur.http.errors import Conflict
from passeur.issues import Level

__all__ = ["FolderClient", "FolderSettings", "file_name"]

_UNSAFE = re.compile(r"[^\w.\-]+")
_DATE_KEYS = ("closing_date", "issue_date", "date", "updated_at")


@attrs.frozen
class FolderSettings:
    """Where the files are and how each document's file is named."""

    path: Path
    pattern: str = "{number}.json"

    @property
    def suffix(self) -> str:
        """The extension every file of the folder has (`.xml`), from the pattern."""
        return Path(self.pattern.replace("{", "").replace("}", "")).suffix


def _fields(document: Any) -> dict[str, Any]:
    """The values a pattern may name: the document's top-level fields (and those of a
    document wrapped in one key, as VosFactures bodies are)."""
    if not isinstance(document, Mapping):
        return {}
    fields = dict(document)
    if len(document) == 1:
        inner = next(iter(document.values()))
        if isinstance(inner, Mapping):
            fields = {**inner, **fields}
    return fields


def file_name(pattern: str, document: Any) -> str:
    """The file name of `document` under `pattern`; every field it names must be there."""
    fields = _fields(document)
    parts = []
    for literal, name, spec, _conv in string.Formatter().parse(pattern):
        parts.append(literal)
        if name is None:
            continue
        value = fields.get(name)
        if value in (None, ""):
            raise UsageError(f"the file-name pattern {pattern!r} needs {name!r}, which the "
                             "document does not have")
        text = format(value, spec or "")
        parts.append(_UNSAFE.sub("_", text).strip("._") or "_")
    return "".join(parts)


def _day(document: Any) -> datetime.date | None:
    fields = _fields(document)
    for key in _DATE_KEYS:
        value = fields.get(key)
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str) and len(value) >= 10:
            try:
                return datetime.date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


class FolderClient:
    """A system's documents as the files of one folder (see the module docstring)."""

    def __init__(self, system: str, folder: FolderSettings,
                 formats: Mapping[str, WireFormat]) -> None:
        self.system = system
        self.folder = folder
        self.formats = formats

    def _format(self, doctype: str) -> WireFormat:
        fmt = self.formats.get(f"{self.system}.{doctype}")
        if fmt is None:
            raise UsageError(f"{self.system} has no reader/writer for {doctype}")
        return fmt

    def files(self) -> list[Path]:
        """The files the folder holds for this connection, in name order."""
        if not self.folder.path.is_dir():
            raise InputError(f"{self.folder.path}: the folder does not exist")
        suffix = self.folder.suffix
        return sorted(p for p in self.folder.path.iterdir()
                      if p.is_file() and not p.name.startswith(".")
                      and (not suffix or p.suffix.lower() == suffix.lower()))

    def iter_documents(self, doctype: str, *,
                       since: datetime.date | None = None) -> Iterator[dict[str, Any]]:
        """Every document of every file, in the system's own form; a file that cannot be
        read stops the listing with its file, line and reason (nothing is skipped silently).
        `since` keeps documents dated on or after it (closing date, issue date...)."""
        fmt = self._format(doctype)
        for path in self.files():
            for document in self._read(fmt, path):
                day = _day(document)
                if since is None or day is None or day >= since:
                    yield document

    def _json(self) -> bool:
        return self.folder.suffix.lower() in (".json", ".ndjson", "")

    def _read(self, fmt: WireFormat, path: Path) -> Iterator[dict[str, Any]]:
        with path.open("rb") as stream:
            if not self._json() and fmt.read_file is None:  # one document per file
                plain, found = fmt.read(stream.read(), str(path))
                errors = [i for i in found if i.level is Level.ERROR]
                if plain is None or errors:
                    raise InputError("; ".join(i.message for i in errors or found)
                                     or f"{path}: the document cannot be read")
                yield plain
                return
            if fmt.read_file is not None and not self._json():
                for value, issues, _line in fmt.read_file(stream, str(path)):
                    errors = [i for i in issues if i.level is Level.ERROR]
                    if value is None or errors:
                        raise InputError("; ".join(i.message for i in errors or issues)
                                         or f"{path}: the document cannot be read")
                    plain, found = fmt.read(value, str(path))
                    if plain is None:
                        raise InputError("; ".join(i.message for i in found)
                                         or f"{path}: the document cannot be read")
                    yield plain
                return
            text = io.TextIOWrapper(stream, encoding="utf-8-sig")
            for item in iter_documents(text):
                if isinstance(item, InputProblem):
                    raise InputError(f"{path}: {item}")
                yield item.value

    def read_file(self, doctype: str, path: Path) -> Iterator[dict[str, Any]]:
        """The documents of one file, in the system's own form."""
        return self._read(self._format(doctype), path)

    def record_of(self, doctype: str, data: bytes | str) -> dict[str, Any]:
        """The system's record of one of its own files (a UBL invoice the converter wrote),
        so that the pattern can name it and the format write it again."""
        plain, found = self._format(doctype).read(data, "")
        errors = [i for i in found if i.level is Level.ERROR]
        if not isinstance(plain, dict) or errors:
            raise InputError("; ".join(i.message for i in errors or found)
                             or f"a {doctype} file of {self.system} cannot be read back")
        return plain

    def file_bytes(self, doctype: str, document: Mapping[str, Any]) -> bytes:
        """The content of the file `document` is written as."""
        return self._bytes(self._format(doctype), document)

    def _bytes(self, fmt: WireFormat, document: Mapping[str, Any]) -> bytes:
        if self._json():
            return (dump_json(document, indent=2) + "\n").encode("utf-8")
        if fmt.write_file is not None:  # each document written, then the file of them
            out = io.BytesIO()
            written = fmt.write(dict(document))
            issues = fmt.write_file([getattr(written, "output", written)], out)
            errors = [i for i in issues if i.level is Level.ERROR]
            if errors:
                raise UsageError("; ".join(i.message for i in errors))
            return out.getvalue()
        data = fmt.write(dict(document))
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, bytes):
            raise UsageError(f"{fmt.name} writes JSON, not files of its own: use a .json "
                             "file-name pattern")
        return data

    def create_document(self, doctype: str, document: Mapping[str, Any]) -> dict[str, Any]:
        """Write one document as its own file; the record says which file (`id`)."""
        fmt = self._format(doctype)
        name = file_name(self.folder.pattern, document)
        target = self.folder.path / name
        data = self._bytes(fmt, document)
        self.folder.path.mkdir(parents=True, exist_ok=True)
        if target.exists():
            return self._same_or_conflict(target, data, document)
        fd, temp = tempfile.mkstemp(dir=self.folder.path, prefix=f".{name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(temp, target)  # atomic, and never replaces an existing file
            except FileExistsError:
                return self._same_or_conflict(target, data, document)
            except OSError as exc:
                raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
        finally:
            os.unlink(temp)
        return {"id": name, **_fields(document)}

    def _same_or_conflict(self, target: Path, data: bytes,
                          document: Mapping[str, Any]) -> dict[str, Any]:
        if target.read_bytes() == data:
            return {"id": target.name, **_fields(document)}
        raise Conflict(f"{target} already holds a different document; it is not overwritten "
                       "(choose a file-name pattern that tells them apart)")

    async def acreate_document(self, doctype: str,
                               document: Mapping[str, Any]) -> dict[str, Any]:
        return self.create_document(doctype, document)

    def document_key(self, doctype: str, document: Mapping[str, Any]) -> str:
        try:
            return file_name(self.folder.pattern, document)
        except UsageError:
            return "?"

    def close(self) -> None:
        return None

    async def aclose(self) -> None:
        return None
