"""ClearFacts (Belgium): the accounting offices' platform that takes purchase and sales
invoices into an administration's inbox and files into its archive, through GraphQL (seed 001,
issue 15).

Registered through the `passeur` entry-point group exactly as a third-party plugin would be;
imports only the public `passeur` API.
"""

from __future__ import annotations

from passeur import registers
from passeur_clearfacts.schema import SYSTEM

__all__ = ["SYSTEM"]

passeur_register_systems = registers(SYSTEM)
