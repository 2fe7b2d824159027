"""VosFactures (France; the same platform as Fakturownia / InvoiceOcean) as a passeur system.

Registered through the `passeur` entry-point group exactly as a third-party plugin would be;
imports only the public `passeur` API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from passeur import hookimpl, registers
from passeur_vosfactures.schema import SYSTEM
from passeur_vosfactures.taxes import tax_text, taxes_of
from passeur_vosfactures.wire import FORMATS, tax_ids, tax_no

passeur_register_systems = registers(SYSTEM)
passeur_register_formats = registers(*FORMATS)
# a link to the top-level mappings/vosfactures/ in a checkout; the real files in the wheel
passeur_register_mapping_dirs = registers(Path(__file__).parent / "mappings")


@hookimpl
def passeur_register_functions(register: Any) -> None:
    from passeur.dsl import MappingFunction  # the compiler, loaded only when mapping

    register(MappingFunction(
        "vf_taxes", ("any",), "list", taxes_of, inverse="vf_tax_text",
        inexact='a rate given as a number (23) is written back as text ("23")',
        doc='A position\'s `tax` ("20", "disabled", "np") as a list of canonical taxes.'))
    register(MappingFunction(
        "vf_tax_text", ("list",), "string", tax_text, inverse="vf_taxes",
        inexact='no taxes ([]) are written as "disabled", which reads back as a disabled tax',
        doc="A line's taxes as one VosFactures `tax`; several give their combined rate."))
    register(MappingFunction(
        "vf_tax_ids", ("any",), "list", tax_ids, inverse="vf_tax_no",
        inexact='an empty `tax_no` reads as no identifiers, written back as nothing',
        doc="A `tax_no` as a party's identifiers (a VAT number)."))
    register(MappingFunction(
        "vf_tax_no", ("list",), "string", tax_no, inverse="vf_tax_ids",
        inexact="only a VAT number (else the first identifier) is written",
        doc="A party's VAT number (else its first identifier) as a `tax_no`."))
