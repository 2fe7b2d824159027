"""ZIP archives of many documents, built one at a time within size and count limits.

Bulk-upload APIs take documents as one ZIP per call, with a largest archive and a most files
per archive; thousands of PDFs must therefore go out as several archives, and never all be
held at once. `pack_archives` reads its items lazily and holds one archive (at most
`max_bytes`) in memory: members are STORED (a PDF is compressed already), so an archive's
exact size is known before a member is added and no archive ever exceeds the limit.

Member names come from outside (invoice numbers, file names) and end up as paths on the
receiver's disk: `safe_member_name` keeps them to one plain file name (no separators, no
`..`, no control characters, no drive letters), so no extraction can write outside its
folder. An item that cannot be packed (too large alone, a name that is empty once made safe,
a name given twice) is refused with its reason, never dropped.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator

import attrs

__all__ = ["ArchiveLimits", "PackedArchive", "Refused", "member_size", "pack_archives",
           "safe_member_name"]

#: ZIP's fixed overheads (APPNOTE 4.3.7, 4.3.12, 4.3.16), for an archive without extras.
LOCAL_HEADER = 30
CENTRAL_HEADER = 46
END_RECORD = 22
#: Longest member name kept (file systems allow 255 bytes).
MAX_NAME_BYTES = 200

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


def safe_member_name(name: str) -> str:
    """`name` as one plain file name: separators, control and reserved characters become
    `_`, every `..` becomes `_`, leading dots and spaces go, and it is cut to
    MAX_NAME_BYTES of UTF-8. An empty result means there is no safe name ("")."""
    text = unicodedata.normalize("NFC", name)
    text = _UNSAFE.sub("_", text)
    while ".." in text:
        text = text.replace("..", "_")
    text = text.lstrip(". ").rstrip(" ")
    raw = text.encode("utf-8")
    if len(raw) > MAX_NAME_BYTES:
        text = raw[:MAX_NAME_BYTES].decode("utf-8", "ignore")
    return text


def member_size(name: str, size: int) -> int:
    """Bytes one STORED member adds to an archive (local header, data, central entry)."""
    encoded = len(name.encode("utf-8"))
    return LOCAL_HEADER + encoded + size + CENTRAL_HEADER + encoded


@attrs.frozen
class ArchiveLimits:
    """The receiver's limits: largest archive in bytes and most files in one archive."""

    max_bytes: int = 20 * 1024 * 1024
    max_files: int = 1000

    def __attrs_post_init__(self) -> None:
        if (self.max_bytes < END_RECORD + member_size("x", 1) or self.max_files < 1
                or self.max_files > 65535):  # beyond 65,535 members ZIP needs ZIP64
            raise ValueError(f"archive limits too small: {self.max_bytes} bytes, "
                             f"{self.max_files} files")


@attrs.frozen
class Refused:
    """An item that is in no archive, and why."""

    key: str
    reason: str


@attrs.frozen
class PackedArchive:
    """One archive: its bytes and, in order, the keys of the items it holds by member name."""

    data: bytes
    members: tuple[tuple[str, str], ...]  # (member name, item key)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for _, key in self.members)


def pack_archives(items: Iterable[tuple[str, str, bytes]], limits: ArchiveLimits,
                  refused: list[Refused]) -> Iterator[PackedArchive]:
    """Archives of `items` (key, member name, content), each within `limits`, in item
    order; `refused` receives the items that cannot be packed. `items` is read lazily, so
    memory holds one archive and one item, however many items there are."""
    seen: set[str] = set()
    buffer: io.BytesIO | None = None
    archive: zipfile.ZipFile | None = None
    members: list[tuple[str, str]] = []
    size = END_RECORD
    for key, wanted, content in items:
        name = safe_member_name(wanted)
        if not name:
            refused.append(Refused(key, f"no safe file name can be made of {wanted!r}"))
            continue
        if name in seen:
            refused.append(Refused(key, f"file name {name!r} is already used by another "
                                        "document"))
            continue
        added = member_size(name, len(content))
        if END_RECORD + added > limits.max_bytes:
            refused.append(Refused(key, f"{len(content)} bytes: larger alone than an archive "
                                        f"may be ({limits.max_bytes} bytes)"))
            continue
        if archive is not None and (size + added > limits.max_bytes
                                    or len(members) >= limits.max_files):
            yield _close(archive, buffer, members)
            archive = None
        if archive is None:
            buffer = io.BytesIO()
            archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED)
            members = []
            size = END_RECORD
        seen.add(name)
        archive.writestr(_info(name), content)
        members.append((name, key))
        size += added
    if archive is not None:
        yield _close(archive, buffer, members)


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


def _close(archive: zipfile.ZipFile, buffer: io.BytesIO | None,
           members: list[tuple[str, str]]) -> PackedArchive:
    archive.close()
    assert buffer is not None
    return PackedArchive(buffer.getvalue(), tuple(members))
