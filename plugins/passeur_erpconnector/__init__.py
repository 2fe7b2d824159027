"""ERP Connector (Québec): one REST API over Acomba, QuickBooks Online, Avantage, Sage 50,
Servex and Servicentre, as a passeur system whose variant is the ERP behind it.

Registered through the `passeur` entry-point group exactly as a third-party plugin would be;
imports only the public `passeur` API.
"""

from __future__ import annotations

from typing import Any

from passeur import hookimpl
from passeur_erpconnector.schema import SYSTEM
from passeur_erpconnector.wire import FORMATS


@hookimpl
def passeur_register_systems(register: Any) -> None:
    register(SYSTEM)


@hookimpl
def passeur_register_formats(register: Any) -> None:
    for fmt in FORMATS:
        register(fmt)
