"""Which files a build read: a cache entry made from files (a parsed mapping and the CSV
tables it read, a whole compiled route) stays valid only while every one of them holds the
same bytes, and every folder searched lists the same mapping files. Builds note what they
read here; a cache records it beside its entry and checks it before using the entry."""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import os
from collections.abc import Iterator

__all__ = ["Reads", "note", "note_folder", "read_text", "recording", "unchanged"]


class Reads:
    """Files (absolute path -> sha256 of the bytes) and folders (absolute path -> the sorted
    names of their `.map` files) one build depended on."""

    __slots__ = ("files", "folders")

    def __init__(self) -> None:
        self.files: dict[str, str] = {}
        self.folders: dict[str, list[str]] = {}

    def as_json(self) -> dict[str, object]:
        return {"files": self.files, "folders": self.folders}


_ACTIVE: contextvars.ContextVar[tuple[Reads, ...]] = contextvars.ContextVar(
    "passeur_reads", default=())


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _listing(folder: str) -> list[str]:
    try:
        return sorted(e.name for e in os.scandir(folder) if e.name.endswith(".map"))
    except OSError:
        return []


def note(path: str | os.PathLike[str], data: bytes | str) -> None:
    """A file read (its bytes, or its text as read): every recording under way keeps it,
    with the folder it is in (a file added next to it may change what is found)."""
    active = _ACTIVE.get()
    if not active:
        return
    where = os.path.abspath(path)
    digest = _digest(data if isinstance(data, bytes) else data.encode("utf-8",
                                                                      "surrogatepass"))
    for reads in active:
        reads.files[where] = digest
    note_folder(os.path.dirname(where))


def note_folder(folder: str | os.PathLike[str]) -> None:
    """A folder whose mapping files were looked through (a route's scan)."""
    active = _ACTIVE.get()
    if not active:
        return
    where = os.path.abspath(folder)
    if all(where in reads.folders for reads in active):
        return
    listing = _listing(where)
    for reads in active:
        reads.folders.setdefault(where, listing)


def read_text(path: str | os.PathLike[str]) -> str:
    """`Path.read_text(encoding="utf-8-sig")` (universal newlines too), noted."""
    with open(path, "rb") as handle:
        data = handle.read()
    note(path, data)
    return data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")


@contextlib.contextmanager
def recording() -> Iterator[Reads]:
    """Note every file read inside the block (nested recordings each get them all)."""
    reads = Reads()
    token = _ACTIVE.set((*_ACTIVE.get(), reads))
    try:
        yield reads
    finally:
        _ACTIVE.reset(token)


def unchanged(files: dict[str, str], folders: dict[str, list[str]]) -> bool:
    """Whether every file still holds the same bytes and every folder the same mapping
    files; what is checked is noted again, so a cache entry used inside a recording (a
    parsed file while a route is built) counts among what the outer build read."""
    for folder, names in folders.items():
        if _listing(folder) != names:
            return False
    for path, digest in files.items():
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return False
        if _digest(data) != digest:
            return False
    for reads in _ACTIVE.get():
        reads.files.update(files)
        for folder, names in folders.items():
            reads.folders.setdefault(folder, names)
    return True
