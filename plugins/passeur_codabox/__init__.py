"""CodaBox (Belgium): accounting offices' clients' CODA bank statements and electronic
purchase and sales invoices, delivered through per-client feeds (seed 001, issue 15), and
the `codabox-clearfacts` sync flow that delivers them to ClearFacts.

Registered through the `passeur` entry-point group exactly as a third-party plugin would be;
imports only the public `passeur` API.
"""

from __future__ import annotations

from passeur import registers
from passeur_codabox.schema import SYSTEM
from passeur_codabox.syncflow import SYNC_FLOW

__all__ = ["SYNC_FLOW", "SYSTEM"]

passeur_register_systems = registers(SYSTEM)
passeur_register_sync_flows = registers(SYNC_FLOW)  # flow = "codabox-clearfacts"
