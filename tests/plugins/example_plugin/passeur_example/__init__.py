"""A third-party plugin as a plugin author would write it: one module, public API only."""

from __future__ import annotations

from typing import Any

from passeur import Capabilities, DocumentType, FieldSpec, FieldType, SystemSpec, hookimpl

SYSTEM = SystemSpec(
    name="example",
    title="Example ERP",
    document_types=(
        DocumentType(
            name="invoice",
            canonical="invoice",
            capabilities=Capabilities(list=True, get=True),
            fields=(
                FieldSpec("InvoiceNo", FieldType.STRING, required=True),
                FieldSpec("Total", FieldType.DECIMAL, read_only=True),
            ),
        ),
    ),
)


@hookimpl
def passeur_register_systems(register: Any) -> None:
    register(SYSTEM)
