"""CODA, the Belgian bank statement (Febelfin, version 2), as a passeur system.

CodaBox delivers bank statements as CODA files (seed 001); passeur reads them into the
canonical bank statement (`passeur.bank_statement`), checked on the way, so they can be
written as camt.053 or read by any system that takes bank statements. Registered through the
`passeur` entry-point group like any third-party plugin; imports only the public API.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from passeur import (
    Capabilities,
    DocumentType,
    Issue,
    SystemSpec,
    UsageError,
    WireFormat,
    canonical_read,
    fields_of,
    registers,
)
from passeur.model import BankStatement
from passeur_coda.parser import ENCODING, StatementRead, read_statements

__all__ = ["ENCODING", "FORMAT", "SYSTEM", "StatementRead", "read_statements"]

STATEMENT = DocumentType(
    name="statement", fields=fields_of(BankStatement), canonical="bank_statement",
    capabilities=Capabilities(list=True, get=True, natural_keys=("number",)),
    description="A bank statement: records 0 to 9 of a CODA file (a file may hold several)")

SYSTEM = SystemSpec(
    name="coda", title="CODA (Febelfin bank statement, version 2)",
    document_types=(STATEMENT,),
    description="Belgian coded bank statements, as CodaBox and the Belgian banks deliver them; "
    "read only (ISO-8859-1 text, 128-character records).")


def _read_file(stream: BinaryIO, name: str) -> Iterator[tuple[Any, list[Issue], int | None]]:
    for read in read_statements(stream, name):
        yield read.statement, list(read.issues), read.line


def _write(plain: dict[str, Any]) -> Any:
    raise UsageError("passeur reads CODA but does not write it; write camt053 instead")


FORMAT = WireFormat(
    name="coda.statement", system="coda", doctype="statement",
    read=canonical_read(BankStatement), write=_write,
    read_file=_read_file, canonical=True, writes=False,
    description="CODA file (records 0-9; several statements per file), ISO-8859-1")


passeur_register_systems = registers(SYSTEM)
passeur_register_formats = registers(FORMAT)
