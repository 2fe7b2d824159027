"""SRC (Sage Recouvrement Créances): a dunning platform fed from Sage 100 that links the
invoices themselves in its reminder e-mails once their PDFs are sent in bulk (seed 000,
issue 16).

Registered through the `passeur` entry-point group exactly as a third-party plugin would be;
imports only the public `passeur` API.
"""

from __future__ import annotations

from passeur import registers
from passeur_src.schema import SYSTEM

__all__ = ["SYSTEM"]

passeur_register_systems = registers(SYSTEM)
