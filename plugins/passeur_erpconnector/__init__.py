"""ERP Connector (Québec): one REST API over Acomba, QuickBooks Online, Avantage, Sage 50,
Servex and Servicentre, as a passeur system whose variant is the ERP behind it.

Registered through the `passeur` entry-point group exactly as a third-party plugin would be;
imports only the public `passeur` API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from passeur import hookimpl, registers
from passeur_erpconnector.extended import erp_own_properties, erp_taxes, erp_taxes_text
from passeur_erpconnector.schema import SYSTEM
from passeur_erpconnector.taxes import tax_scheme
from passeur_erpconnector.wire import FORMATS

passeur_register_systems = registers(SYSTEM)
passeur_register_formats = registers(*FORMATS)
# a link to the top-level mappings/erpconnector/ in a checkout; the real files in the wheel
passeur_register_mapping_dirs = registers(Path(__file__).parent / "mappings")


@hookimpl
def passeur_register_functions(register: Any) -> None:
    from passeur.dsl import MappingFunction  # the compiler, loaded only when mapping

    register(MappingFunction(
        "quebec_tax", ("string",), "string", tax_scheme, lossy=True,
        doc="The tax an ERP tax code names: 'T.P.S. 100%' -> 'TPS', 'T.V.Q. 100%' -> 'TVQ'."))
    register(MappingFunction(
        "erp_taxes", ("string",), "list", erp_taxes, inverse="erp_taxes_text",
        doc="The canonical taxes passeur kept in a line's ExtendedProperties "
        "(`passeur.taxes`, compact JSON)."))
    register(MappingFunction(
        "erp_taxes_text", ("list",), "string", erp_taxes_text, inverse="erp_taxes",
        doc="Canonical taxes as the compact JSON kept in `passeur.taxes`."))
    register(MappingFunction(
        "erp_own_properties", ("any",), "any", erp_own_properties, lossy=True,
        doc="ExtendedProperties without passeur's own `passeur.*` keys."))
