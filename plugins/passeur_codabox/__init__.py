"""CodaBox (Belgium): accounting offices' clients' CODA bank statements and electronic
purchase and sales invoices, delivered through per-client feeds (seed 001, issue 15).

Registered through the `passeur` entry-point group exactly as a third-party plugin would be;
imports only the public `passeur` API.
"""

from __future__ import annotations

from passeur import registers
from passeur_codabox.schema import SYSTEM

__all__ = ["SYSTEM"]

passeur_register_systems = registers(SYSTEM)
