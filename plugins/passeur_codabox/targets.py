"""Where the flow delivers: invoices into a ClearFacts administration's inbox, statements
into its archive or into a folder (as received, or as camt.053).

Each `send_*` returns the id the target gives the document (a ClearFacts uuid, a file name),
which is what the flow's write intent is confirmed with. The folder is written through
`passeur.engine.folder.FolderClient`: a new file appears whole (written aside, then linked
in), an existing file with the same content is the same document (a re-run after a crash),
and an existing file with other content is a conflict, never overwritten.
"""

from __future__ import annotations

import asyncio
import io
import re
from typing import Any

from passeur import Issue, Level, Registry, UsageError, WireFormat
from passeur.http import answer_id
from passeur.sync import FolderClient, FolderSettings
from passeur_codabox.flow_config import StatementTarget

__all__ = ["CODA_FILE", "camt053_bytes", "send_invoice", "send_statement", "statement_name"]


def _raw(plain: dict[str, Any]) -> bytes:
    data = plain["data"]
    assert isinstance(data, bytes)
    return data


def _unread(value: Any, source: str = "") -> tuple[None, list[Issue]]:
    return None, []


#: A file written as it is: the folder target's format (document `{"name", "data"}`).
CODA_FILE = WireFormat(name="codabox.statement_file", system="codabox",
                       doctype="statement_file", read=_unread, write=_raw,
                       description="a statement file, written byte for byte")


def statement_name(client_code: str, iban: str, first: Any, last: Any) -> str:
    """`C0101_BE68539007547034_003` (or `_003-004` for a file of several statements)."""
    numbers = f"{int(first):03d}" if first == last or last is None else \
        f"{int(first):03d}-{int(last):03d}"
    code = re.sub(r"[^\w-]+", "_", client_code or "client")
    return f"{code}_{iban}_{numbers}"


def camt053_bytes(registry: Registry, statements: list[Any]) -> bytes:
    """The statements read from a CODA file, as one camt.053.001.08 document."""
    fmt = registry.formats.get("camt053.statement")
    if fmt is None or fmt.write_file is None:
        raise UsageError("statements as camt.053 need the camt053 plugin, which is not "
                         "loaded (passeur plugins)")
    out = io.BytesIO()
    issues = fmt.write_file(statements, out)
    errors = [i.message for i in issues if i.level is Level.ERROR]
    if errors:
        raise UsageError("the statement cannot be written as camt.053: " + "; ".join(errors))
    data: bytes = out.getvalue()
    return data


async def send_invoice(clearfacts: Any, company: str, filename: str, data: bytes,
                       invoice_type: str) -> str:
    """Upload an invoice to the inbox of the administration of `company` (a VAT number:
    the client strips `BE`); its uuid."""
    answer = await asyncio.to_thread(clearfacts.upload_file, company, filename, data,
                                     invoice_type)
    return answer_id(answer, "uuid", write=True,
                     request=f"ClearFacts uploadFile of {filename}")


async def send_statement(target: StatementTarget, clearfacts: Any, company: str, name: str,
                         data: bytes, converted: bytes | None = None) -> str:
    """Deliver one statement file: to the ClearFacts archive (type FINANCIAL, the configured
    category), or into the folder (`converted` is its camt.053 form when that is asked)."""
    if target.to == "clearfacts":
        answer = await asyncio.to_thread(clearfacts.upload_archive_file, company,
                                         f"{name}.cod", data, "FINANCIAL", target.category)
        return answer_id(answer, "uuid", write=True,
                         request=f"ClearFacts uploadArchiveFile of {name}.cod")
    assert target.folder is not None
    suffix = ".xml" if target.format == "camt053" else ".cod"
    body = converted if target.format == "camt053" else data
    if body is None:
        raise UsageError("the statement was not converted to camt.053")
    folder = FolderClient("codabox", FolderSettings(target.folder, "{name}" + suffix),
                          {"codabox.statement_file": CODA_FILE})
    written = await asyncio.to_thread(folder.create_document, "statement_file",
                                      {"name": name, "data": body})
    return answer_id(written, "id", write=True, request=f"the folder's write of {name}")

