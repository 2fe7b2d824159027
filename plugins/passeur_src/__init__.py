"""SRC (Sage Recouvrement Créances): a dunning platform fed from Sage 100 that links the
invoices themselves in its reminder e-mails once their PDFs are sent in bulk (seed 000,
issue 16).

Registered through the `passeur` entry-point group exactly as a third-party plugin would be;
imports only the public `passeur` API.
"""

from __future__ import annotations

from typing import Any

from passeur import hookimpl
from passeur_src.schema import SYSTEM

__all__ = ["SYSTEM"]


@hookimpl
def passeur_register_systems(register: Any) -> None:
    register(SYSTEM)
