"""Reading an uploaded archive as a careful server does: hostile ZIPs are refused, not run.

The archive is read from memory (its size is capped before it is read). The central directory
is counted before any member is opened (a million empty members is a 413, not a loop); the
sizes it declares are checked against the limits, and each member is decompressed with a cap
all the same (a declared size can lie: a zip bomb inflates far beyond it). A member is named
`{invoiceId}.pdf` at the top of the archive: a name with a separator or `..` is a nested
folder and is refused, never resolved.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable

import attrs

__all__ = ["ArchiveRefused", "Member", "read_members"]


class ArchiveRefused(Exception):
    """The archive as a whole is refused: `status` is 400 (not a ZIP) or 413 (too big)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@attrs.frozen
class Member:
    """One file of the archive: its name and either its bytes or why it was refused."""

    name: str
    data: bytes | None = None
    reason: str | None = None


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes | None:
    """The member's bytes, or None when they inflate beyond `cap` whatever was declared."""
    out = bytearray()
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(64 * 1024)
            if not chunk:
                return bytes(out)
            out += chunk
            if len(out) > cap:
                return None


def read_members(data: bytes, *, max_files: int, max_document_bytes: int,
                 max_total_bytes: int, is_nested: Callable[[str], bool]) -> list[Member]:
    """The members of the ZIP `data`, in archive order (directories included, refused)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError,
            NotImplementedError, UnicodeDecodeError) as exc:
        raise ArchiveRefused(400, f"the file is not a readable ZIP archive ({exc})") from None
    infos = archive.infolist()
    if len(infos) > max_files:
        raise ArchiveRefused(413, f"the archive holds {len(infos)} files; at most "
                                  f"{max_files} per archive")
    declared = sum(max(0, i.file_size) for i in infos)
    if declared > max_total_bytes:
        raise ArchiveRefused(413, f"the archive inflates to {declared} bytes; at most "
                                  f"{max_total_bytes}")
    members: list[Member] = []
    total = 0
    for info in infos:
        name = info.filename
        if info.is_dir() or is_nested(name):
            members.append(Member(name, reason="nested folder: files must be at the top of "
                                               "the archive"))
            continue
        if info.flag_bits & 0x1:
            members.append(Member(name, reason="encrypted file"))
            continue
        if info.file_size > max_document_bytes:
            members.append(Member(name, reason=f"file larger than {max_document_bytes} "
                                               "bytes"))
            continue
        try:
            content = _read_capped(archive, info, max_document_bytes)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, ValueError, OSError,
                EOFError, RuntimeError) as exc:
            members.append(Member(name, reason=f"unreadable file ({exc})"))
            continue
        if content is None:
            members.append(Member(name, reason=f"file inflates beyond {max_document_bytes} "
                                               "bytes"))
            continue
        total += len(content)
        if total > max_total_bytes:  # the declared sizes lied
            raise ArchiveRefused(413, f"the archive inflates beyond {max_total_bytes} bytes")
        members.append(Member(name, content))
    return members
