"""SRC (Sage Recouvrement Créances): a dunning platform fed from Sage 100 that links the
invoices themselves in its reminder e-mails once their PDFs are sent in bulk (seed 000,
issue 16).

Registered through the `passeur` entry-point group exactly as a third-party plugin would be;
imports only the public `passeur` API.
"""

from __future__ import annotations

from typing import Any

from passeur import hookimpl, registers
from passeur_src.schema import SYSTEM

__all__ = ["SYSTEM"]

passeur_register_systems = registers(SYSTEM)


@hookimpl
def passeur_register_sync_flows(register: Any) -> None:
    """`flow = "src-documents"`: the invoice PDFs SRC lacks, sent in bulk archives (its
    modules load when a sync file of that flow is read)."""
    from passeur_src.flow_plugin import SRC_DOCUMENTS

    register(SRC_DOCUMENTS)
