"""camt.053 (ISO 20022 bank-to-customer statement) as a passeur system.

Read: versions .001.02 and .001.08, to the canonical bank statement. Written: .001.08, so a
Belgian CODA statement (`--from coda --to camt053`) reaches a system that only reads camt.
Registered through the `passeur` entry-point group like any third-party plugin. The reader
and writer (lxml) load when a statement is read or written, not with the plugin.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from passeur import (
    Capabilities,
    DocumentType,
    Issue,
    SystemSpec,
    WireFormat,
    canonical_read,
    fields_of,
    registers,
)
from passeur.model import BankStatement
from passeur.sandbox import LazyFactory

if TYPE_CHECKING:
    from passeur_camt053.reader import NAMESPACES, read_camt
    from passeur_camt053.writer import write_camt

__all__ = ["FORMAT", "NAMESPACES", "SYSTEM", "read_camt", "write_camt"]

_LATER = {"NAMESPACES": "passeur_camt053.reader", "read_camt": "passeur_camt053.reader",
          "write_camt": "passeur_camt053.writer"}


def __getattr__(name: str) -> Any:
    module = _LATER.get(name)
    if module is None:
        raise AttributeError(f"module 'passeur_camt053' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)

STATEMENT = DocumentType(
    name="statement", fields=fields_of(BankStatement), canonical="bank_statement",
    capabilities=Capabilities(list=True, get=True, create=True, natural_keys=("number",)),
    description="An account statement (Stmt) of a camt.053 message (a file may hold several)")

SYSTEM = SystemSpec(
    name="camt053", title="camt.053 (ISO 20022 bank-to-customer statement)",
    document_types=(STATEMENT,),
    description="Bank statements in ISO 20022 XML: .001.02 and .001.08 read, .001.08 written.")


def _read_file(stream: BinaryIO, name: str) -> Iterator[tuple[Any, list[Issue], int | None]]:
    from passeur_camt053.reader import read_camt

    yield from read_camt(stream.read(), name)


def _write(plain: dict[str, Any]) -> Any:
    return plain  # the canonical statement; write_file makes the XML of them all


FORMAT = WireFormat(
    name="camt053.statement", system="camt053", doctype="statement",
    read=canonical_read(BankStatement), write=_write,
    read_file=_read_file, write_file=LazyFactory("passeur_camt053.writer:write_camt"),
    canonical=True,
    description="camt.053 XML: .001.02 or .001.08 read, .001.08 written")


passeur_register_systems = registers(SYSTEM)
passeur_register_formats = registers(FORMAT)
