"""Disk cache of compiled mappings: marshalled code objects keyed by everything they depend on,
the parsed files themselves (so a warm start neither imports lark nor parses), and each
file's header apart (what choosing a route reads of every file in the mapping folders).

The key of code covers the mapping text (with its includes), the compiler version, the schema
versions of both sides and the registered functions; the key of a parsed file, its text, its
name and the parser's own source. A cache that cannot be read or written (read-only home, full
disk, a corrupt entry) is silently skipped: caching only ever saves time.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import marshal
import os
import pickle
import sys
import tempfile
from pathlib import Path
from types import CodeType
from typing import TYPE_CHECKING, Any, NamedTuple

from passeur.cachedir import cache_dir
from passeur.dsl import reads

if TYPE_CHECKING:
    from passeur.dsl.ast import MappingFile

__all__ = ["COMPILER_VERSION", "FileHeader", "cache_dir", "cache_key", "load", "parse_file",
           "parse_text", "read_header", "store"]

#: Bump when generated code changes shape, so old cache entries are never used.
COMPILER_VERSION = "1"


def _source_fingerprint(modules: tuple[str, ...], folder: Path | None = None) -> str:
    """A hash of the named files of this package (and the compiler version)."""
    digest = hashlib.sha256(COMPILER_VERSION.encode())
    here = folder or Path(__file__).parent
    for name in modules:
        digest.update(name.encode() + b"\0")
        with contextlib.suppress(OSError):  # a zipped install: the version must do
            digest.update((here / name).read_bytes())
    return digest.hexdigest()


def compiler_modules(folder: Path | None = None) -> tuple[str, ...]:
    """Every source file of the mapping language: the generated code depends on all of them
    (a list kept by hand once left the group and fusion code out, serving stale code)."""
    here = folder or Path(__file__).parent
    try:
        return tuple(sorted(p.name for p in here.iterdir() if p.suffix in (".py", ".lark")))
    except OSError:  # pragma: no cover - a zipped install: the version must do
        return ()


@functools.cache
def compiler_fingerprint() -> str:
    """A hash of the mapping language's whole source (parser and compiler) and of the limits
    both enforce (passeur/limits.py), so editing any of it never serves stale code or a
    stale parse."""
    return _source_fingerprint((*compiler_modules(), "../limits.py"))


def cache_key(parts: list[Any]) -> str:
    payload = json.dumps([COMPILER_VERSION, compiler_fingerprint(), sys.version_info[:2],
                          *parts], sort_keys=True,
                         default=str, ensure_ascii=False)
    # surrogatepass: a key is a hash of whatever text it is given, and must never raise
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def load(key: str) -> tuple[CodeType, dict[str, Any]] | None:
    """(code, metadata) for a key, or None when missing or unreadable."""
    path = cache_dir() / f"{key}.pyc"
    try:
        data = path.read_bytes()
        header_size = int.from_bytes(data[:4], "big")
        meta = json.loads(data[4:4 + header_size].decode("utf-8"))
        code = marshal.loads(data[4 + header_size:])
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(code, CodeType) or not isinstance(meta, dict):
        return None
    return code, meta


def store(key: str, code: CodeType, meta: dict[str, Any]) -> bool:
    """Write an entry atomically; False (and nothing raised) when the cache is unwritable."""
    header = json.dumps(meta).encode("utf-8")
    return _write(f"{key}.pyc", len(header).to_bytes(4, "big") + header + marshal.dumps(code))


def parser_fingerprint() -> str:
    """A parsed file is only reused by the same parser: the same source as the compiler's
    (a hand-kept list of the parser's modules left out the CSV table reader and the
    limits)."""
    return compiler_fingerprint()


def parse_text(text: str, file: str = "<text>") -> MappingFile:
    """`passeur.dsl.parser.parse_text`, from the cache when this parser has parsed the same
    text under the same name (a file that does not parse is never stored: its error is
    raised again, from the parser)."""
    from passeur.dsl import ast

    name = f"{_parse_key(text, file)}.ast"
    try:
        found, files, folders = pickle.loads((cache_dir() / name).read_bytes())
    except Exception:  # missing, unreadable or from an incompatible version: parse again
        found = files = folders = None
    # the tables it read from CSV files must hold what they held (checked, and noted)
    if isinstance(found, ast.MappingFile) and reads.unchanged(files, folders):
        return found
    from passeur.dsl import parser

    with reads.recording() as read:
        parsed = parser.parse_text(text, file)
    try:
        data = pickle.dumps((parsed, read.files, read.folders),
                            protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # pragma: no cover - every AST node is plain attrs data
        return parsed
    _write(name, data)
    return parsed


def _parse_key(text: str, file: str) -> str:
    payload = json.dumps([parser_fingerprint(), sys.version_info[:2], file, text],
                         ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


class FileHeader(NamedTuple):
    """What choosing a route reads of a mapping file: its two sides (system or variant,
    document type) and whether it extends something (the route, or another mapping)."""

    left: tuple[str, str]
    right: tuple[str, str]
    extends: bool
    extends_route: bool


def read_header(path: str | Path) -> FileHeader | None:
    """The header of a mapping file (None for a library, which has none), as `parse_file`
    would give it, from a small entry of its own: scanning a folder of mappings then reads
    no whole syntax tree (unpickling one is most of the scan's time). Errors are those of
    `parse_file` (the file is parsed when its entry is missing)."""
    text = reads.read_text(path)
    name = f"{_parse_key(text, str(path))}.head"
    try:
        data = json.loads((cache_dir() / name).read_bytes())
        if data is None:
            return None
        left, right, extends, extends_route = data
        return FileHeader((str(left[0]), str(left[1])), (str(right[0]), str(right[1])),
                          bool(extends), bool(extends_route))
    except Exception:  # missing, unreadable or not what is written below: parse
        pass
    parsed = parse_text(text, str(path))
    header, ext = parsed.header, parsed.extends_statement
    found = None if header is None else FileHeader(
        (header.left.system, header.left.doctype), (header.right.system, header.right.doctype),
        ext is not None, ext is not None and ext.is_route)
    _write(name, json.dumps(found).encode("utf-8"))
    return found


def parse_file(path: str | Path) -> MappingFile:
    """`passeur.dsl.parser.parse_file` through the cache (UTF-8, a BOM accepted)."""
    return parse_text(reads.read_text(path), str(path))


def _write(name: str, data: bytes) -> bool:
    """Write one entry atomically; False (and nothing raised) when the cache is unwritable."""
    directory = cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, directory / name)
        except OSError:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return False
    return True
