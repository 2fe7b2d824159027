"""Where the invoice PDFs SRC lacks are found: a live system that serves them (VosFactures
`GET /invoices/ID.pdf`, or any client with `iter_documents("invoice")` and `invoice_pdf`),
or a folder of `{number}.pdf` files.

A source is read twice per run: once as an index (every invoice's number, id and version,
cheap), then one PDF at a time for the entries that need one. The version (VosFactures'
`updated_at`, a file's modification time and size) says when a PDF must be fetched again to
see whether it changed; only its content hash decides whether it is sent again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import attrs

from passeur import UsageError

__all__ = ["ClientPdfSource", "FolderPdfSource", "PdfSource", "SourceDoc", "TooLarge"]


class TooLarge(Exception):
    """A PDF larger than the flow takes (it is never read whole)."""


@attrs.frozen
class SourceDoc:
    """One invoice of the source: its id there, its number (what the match rule gives) and
    a version that changes when its PDF may have changed."""

    id: str
    number: str
    version: str | None = None


class PdfSource(Protocol):
    name: str

    def index(self) -> Iterator[SourceDoc]: ...

    def fetch(self, doc: SourceDoc, max_bytes: int) -> bytes: ...


class ClientPdfSource:
    """A live system's invoices (`iter_documents("invoice")`) and their PDFs
    (`invoice_pdf(id)`): VosFactures, or any client that offers both."""

    def __init__(self, client: Any, name: str) -> None:
        if not callable(getattr(client, "invoice_pdf", None)):
            raise UsageError(f"{name} serves no invoice PDFs (its client has no invoice_pdf); "
                             "use a system that does (vosfactures) or a folder of PDFs")
        self.client = client
        self.name = name

    def index(self) -> Iterator[SourceDoc]:
        listing = getattr(self.client, "iter_invoices", None)  # VosFactures: no positions
        records = listing() if callable(listing) else self.client.iter_documents("invoice")
        for record in records:
            number = record.get("number")
            if record.get("id") is None or number in (None, ""):
                continue  # a draft without a number cannot be matched to an SRC entry
            yield SourceDoc(str(record["id"]), str(number),
                            str(record.get("updated_at") or "") or None)

    def fetch(self, doc: SourceDoc, max_bytes: int) -> bytes:
        data: bytes = self.client.invoice_pdf(int(doc.id) if doc.id.isdigit() else doc.id)
        if len(data) > max_bytes:
            raise TooLarge(f"{len(data)} bytes, more than max_pdf_bytes ({max_bytes})")
        return data


class FolderPdfSource:
    """`{number}.pdf` files at the top of one folder (a sub-folder is not read)."""

    def __init__(self, folder: Path, name: str = "folder") -> None:
        if not folder.is_dir():
            raise UsageError(f"PDF folder {folder} not found")
        self.folder = folder
        self.name = name

    def index(self) -> Iterator[SourceDoc]:
        for path in sorted(self.folder.iterdir()):
            if path.is_file() and path.suffix.lower() == ".pdf":
                stat = path.stat()
                yield SourceDoc(path.name, path.stem, f"{stat.st_mtime_ns}-{stat.st_size}")

    def fetch(self, doc: SourceDoc, max_bytes: int) -> bytes:
        with open(self.folder / doc.id, "rb") as file:
            data = file.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise TooLarge(f"more than max_pdf_bytes ({max_bytes}) bytes")
        return data
