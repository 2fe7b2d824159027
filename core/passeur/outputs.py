"""Output files written whole or not at all, and never over their own input.

A command that writes a file writes a temporary file in the same folder and renames it over
the target only when everything went well (`os.replace` is atomic on one file system), so a
crash, a full disk or Ctrl-C leaves the previous file as it was and no half-written output.
An output that is one of the inputs (the same file, through any path or link) is refused
before anything is opened: `convert same.json -o same.json` would otherwise read an empty
file. Outputs that are not regular files (`/dev/null`, a pipe, a terminal) are written in
place: there is nothing to rename over.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from passeur.errors import OutputError, UsageError

__all__ = ["atomic_text_output", "refuse_same_file", "stdin_identity"]

Source = str | os.PathLike[str] | int  # a path, or an open file descriptor


def stdin_identity() -> Source:
    """Standard input as something `refuse_same_file` can compare (`< same.json` included)."""
    try:
        return sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):
        return "-"


def _identity(path: Source) -> tuple[int, int] | None:
    if path == "-":
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):  # a terminal, a pipe, /dev/null: not an input to lose
        return None
    return info.st_dev, info.st_ino


def refuse_same_file(output: str | os.PathLike[str], inputs: Iterable[Source]) -> None:
    """A `UsageError` when `output` is the same file (same device and inode) as an input."""
    target = _identity(output)
    if target is None:
        return
    for source in inputs:
        if _identity(source) == target:
            name = "standard input" if isinstance(source, int) else os.fspath(source)
            raise UsageError(f"the output {os.fspath(output)} is the input {name}; "
                             "writing it would destroy the input: write to another file and "
                             "rename it afterwards")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class _Guarded(io.TextIOWrapper):
    """A text stream whose write failures are `OutputError`s naming the file."""

    label = ""
    note = "; the previous file was left as it was"

    def _fail(self, exc: OSError) -> OutputError:
        return OutputError(f"{self.label}: cannot write: {exc.strerror or exc}{self.note}")

    def write(self, text: str) -> int:
        try:
            return super().write(text)
        except OSError as exc:
            raise self._fail(exc) from None

    def flush(self) -> None:
        try:
            super().flush()
        except OSError as exc:
            raise self._fail(exc) from None


def _guarded(fd: int, label: str, newline: str | None) -> _Guarded:
    stream = _Guarded(io.BufferedWriter(io.FileIO(fd, "w")), encoding="utf-8", newline=newline,
                      write_through=False)
    stream.label = label
    return stream


@contextlib.contextmanager
def atomic_text_output(path: str | os.PathLike[str], *,
                       inputs: Iterable[Source] = (),
                       newline: str | None = "\n") -> Iterator[TextIO]:
    """A UTF-8 text stream whose content replaces `path` only if the block ends normally.

    The output is refused (`UsageError`) when it is one of `inputs`. A file that cannot be
    created or written raises `OutputError`; the target is then left untouched and the
    temporary file removed. An existing file keeps its permission bits.
    """
    label = os.fspath(path)
    refuse_same_file(path, inputs)
    target = Path(os.path.realpath(path))  # through symlinks: replace the file, not the link
    try:
        mode: int | None = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputError(f"{label}: cannot write: {exc.strerror or exc}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise OutputError(f"{label}: cannot write: it is a folder")
    if mode is not None and not stat.S_ISREG(mode):
        yield from _in_place(path, label, newline)  # a device or a pipe: nothing to rename
        return
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                    suffix=".part")
    except OSError as exc:
        raise OutputError(f"{label}: cannot write: {exc.strerror or exc}"
                          f"{_folder_hint(target)}") from None
    stream = _guarded(fd, label, newline)
    replaced = False
    try:
        os.chmod(temp, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
        yield stream
        stream.flush()
        try:
            os.fsync(stream.fileno())
            stream.close()
            os.replace(temp, target)
        except OSError as exc:
            raise stream._fail(exc) from None
        replaced = True
    finally:
        if not stream.closed:
            with contextlib.suppress(OSError, OutputError):
                stream.close()
        if not replaced:
            _remove(temp)


def _in_place(path: str | os.PathLike[str], label: str,
              newline: str | None) -> Iterator[TextIO]:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    except OSError as exc:
        raise OutputError(f"{label}: cannot write: {exc.strerror or exc}") from None
    stream = _guarded(fd, label, newline)
    stream.note = ""
    try:
        yield stream
        stream.flush()
    finally:
        with contextlib.suppress(OSError, OutputError):
            stream.close()


def _folder_hint(target: Path) -> str:
    return "" if target.parent.is_dir() else f" (the folder {target.parent} does not exist)"


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
