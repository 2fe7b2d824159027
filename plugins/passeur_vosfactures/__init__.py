"""VosFactures (France; the same platform as Fakturownia / InvoiceOcean) as a passeur system.

Registered through the `passeur` entry-point group exactly as a third-party plugin would be;
imports only the public `passeur` API.
"""

from __future__ import annotations

from typing import Any

from passeur import hookimpl
from passeur_vosfactures.schema import SYSTEM
from passeur_vosfactures.wire import FORMATS


@hookimpl
def passeur_register_systems(register: Any) -> None:
    register(SYSTEM)


@hookimpl
def passeur_register_formats(register: Any) -> None:
    for fmt in FORMATS:
        register(fmt)
