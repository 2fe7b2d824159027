"""passeur.archives: safe member names, exact packing by size and count, lazy reading, and
archives of hostile names that cannot write outside their folder when extracted."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passeur.archives import (
    END_RECORD,
    ArchiveLimits,
    Refused,
    member_size,
    pack_archives,
    safe_member_name,
)
from support.fuzz import fuzz_settings

HOSTILE = ["../../etc/passwd", "/etc/passwd", "..\\..\\win.ini", "C:\\boot.ini", "C:x.pdf",
           "a/../../b.pdf", "....//x", "..", ".", "", " ", "\x00evil.pdf", "dir/sub/f.pdf",
           ".hidden.pdf", "é€𝄞.pdf", "x" * 400 + ".pdf", "a\nb.pdf", "..%2f..%2fx.pdf"]


@pytest.mark.parametrize(("name", "safe"), [
    ("FA000123.pdf", "FA000123.pdf"), ("../../etc/passwd", "____etc_passwd"),
    ("/etc/passwd", "_etc_passwd"), ("..\\win.ini", "__win.ini"), ("C:\\boot.ini", "C__boot.ini"),
    ("....//x", "____x"), ("..", "_"), (".hidden.pdf", "hidden.pdf"), ("", ""), (".", ""),
    ("a\x00b.pdf", "a_b.pdf"), ("FA/2024/7.pdf", "FA_2024_7.pdf")])
def test_safe_member_name(name, safe) -> None:
    assert safe_member_name(name) == safe


@given(st.text(max_size=300) | st.sampled_from(HOSTILE))
@fuzz_settings(scale=4)
def test_a_safe_name_is_one_plain_file_name(name) -> None:
    safe = safe_member_name(name)
    assert "/" not in safe and "\\" not in safe and ".." not in safe and "\x00" not in safe
    assert not safe.startswith(".") and len(safe.encode("utf-8")) <= 200
    assert safe_member_name(safe) == safe  # idempotent


def _extract_naively(data: bytes, folder: Path) -> None:
    """What a careless receiver does: join each member's name to the folder and write."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            target = os.path.join(folder, info.filename)
            os.makedirs(os.path.dirname(target) or folder, exist_ok=True)
            with open(target, "wb") as out:
                out.write(archive.read(info))


def test_hostile_names_cannot_write_outside_the_folder(tmp_path: Path) -> None:
    items = [(f"k{i}", name, b"%PDF-1.4 " + str(i).encode()) for i, name in enumerate(HOSTILE)]
    refused: list[Refused] = []
    [archive] = list(pack_archives(items, ArchiveLimits(), refused))
    for extract in ("naive", "zipfile", "shutil"):
        root = tmp_path / extract
        folder = root / "inside"
        folder.mkdir(parents=True)
        if extract == "naive":
            _extract_naively(archive.data, folder)
        elif extract == "zipfile":
            zipfile.ZipFile(io.BytesIO(archive.data)).extractall(folder)
        else:
            (root / "a.zip").write_bytes(archive.data)
            shutil.unpack_archive(root / "a.zip", folder)
            (root / "a.zip").unlink()
        written = sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())
        assert all(p.parent == Path("inside") for p in written), written
        assert len(written) == len(archive.members)
    # Names that are empty once made safe are refused, with the name given.
    assert {r.key for r in refused} == {"k8", "k9", "k10"}  # ".", "", " "
    assert all("no safe file name" in r.reason for r in refused)
    assert len(archive.members) + len(refused) == len(HOSTILE)


def test_archives_respect_size_and_count_exactly() -> None:
    pdf = b"%PDF-" + b"x" * 995  # 1000 bytes
    one = member_size("FA000001.pdf", len(pdf))
    limits = ArchiveLimits(max_bytes=END_RECORD + 3 * one, max_files=5)
    items = [(f"FA{n:06d}", f"FA{n:06d}.pdf", pdf) for n in range(1, 11)]
    archives = list(pack_archives(iter(items), limits, refused := []))
    assert refused == []
    assert [len(a.members) for a in archives] == [3, 3, 3, 1]
    assert [len(a.data) for a in archives] == [END_RECORD + 3 * one] * 3 + [END_RECORD + one]
    assert [k for a in archives for k in a.keys] == [k for k, _, _ in items]
    by_count = list(pack_archives(iter(items), ArchiveLimits(max_files=4), []))
    assert [len(a.members) for a in by_count] == [4, 4, 2]
    for archive in archives:
        with zipfile.ZipFile(io.BytesIO(archive.data)) as zf:
            assert zf.testzip() is None
            assert [zf.read(n) for n in zf.namelist()] == [pdf] * len(archive.members)


def test_too_large_and_duplicate_items_are_refused_not_dropped() -> None:
    limits = ArchiveLimits(max_bytes=2000, max_files=10)
    items = [("a", "a.pdf", b"%PDF-small"), ("big", "big.pdf", b"%PDF-" + b"x" * 3000),
             ("a2", "a.pdf", b"%PDF-other"), ("b", "b.pdf", b"%PDF-b")]
    refused: list[Refused] = []
    [archive] = list(pack_archives(items, limits, refused))
    assert archive.members == (("a.pdf", "a"), ("b.pdf", "b"))
    assert refused == [
        Refused("big", "3005 bytes: larger alone than an archive may be (2000 bytes)"),
        Refused("a2", "file name 'a.pdf' is already used by another document")]


def test_items_are_read_lazily_one_archive_at_a_time() -> None:
    """Thousands of PDFs: the generator is never more than one archive ahead."""
    produced = 0

    def items():
        nonlocal produced
        for n in range(5000):
            produced += 1
            yield f"FA{n:06d}", f"FA{n:06d}.pdf", b"%PDF-" + bytes(2000)

    limits = ArchiveLimits(max_bytes=1024 * 1024, max_files=1000)
    seen = 0
    largest = 0
    for archive in pack_archives(items(), limits, []):
        seen += len(archive.members)
        largest = max(largest, len(archive.data))
        assert produced <= seen + 1
    assert seen == 5000 and largest <= limits.max_bytes


def test_limits_are_checked() -> None:
    with pytest.raises(ValueError, match="archive limits too small"):
        ArchiveLimits(max_bytes=10)
    with pytest.raises(ValueError, match="archive limits too small"):
        ArchiveLimits(max_files=70000)


def test_memory_stays_within_one_archive_for_thousands_of_pdfs() -> None:
    """3,000 PDFs of 20 kB (60 MB) packed under a 1 MiB limit: the peak of memory allocated
    while packing stays near one archive, far from the whole (a memory figure, not a time)."""
    import tracemalloc

    def items():
        for n in range(3000):
            yield f"FA{n:06d}", f"FA{n:06d}.pdf", b"%PDF-" + n.to_bytes(4, "big") * 5000

    limits = ArchiveLimits(max_bytes=1024 * 1024, max_files=1000)
    tracemalloc.start()
    try:
        count = sum(len(a.members) for a in pack_archives(items(), limits, []))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 3000
    assert peak < 4 * limits.max_bytes, peak
