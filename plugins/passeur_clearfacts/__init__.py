"""ClearFacts (Belgium): the accounting offices' platform that takes purchase and sales
invoices into an administration's inbox and files into its archive, through GraphQL (seed 001,
issue 15).

Registered through the `passeur` entry-point group exactly as a third-party plugin would be;
imports only the public `passeur` API.
"""

from __future__ import annotations

from typing import Any

from passeur import hookimpl
from passeur_clearfacts.schema import SYSTEM

__all__ = ["SYSTEM"]


@hookimpl
def passeur_register_systems(register: Any) -> None:
    register(SYSTEM)
