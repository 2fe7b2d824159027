"""Standard e-invoices as passeur systems: UBL 2.1 / Peppol BIS 3 (`ubl`), CII D16B (`cii`)
and Factur-X PDFs (`facturx`).

One package because the three share what the mapping language cannot say about XML parties
and references (`parties`); each syntax has its own element tree, reader and writer, and its
mapping to the canonical invoice is a mapping file (`mappings/ubl/`, `mappings/cii/`).
Registered through the `passeur` entry-point group; imports only the public `passeur` API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from passeur import hookimpl, registers
from passeur_einvoice.schema import FORMATS, SYSTEMS

passeur_register_systems = registers(*SYSTEMS)
passeur_register_formats = registers(*FORMATS)


@hookimpl
def passeur_register_mapping_dirs(register: Any) -> None:
    # mappings/<system> holds links to the top-level mappings/<system>/ folders of a checkout;
    # the wheel carries the real files
    for folder in sorted((Path(__file__).parent / "mappings").iterdir()):
        register(folder)


@hookimpl
def passeur_detect_format(name: str, head: bytes) -> str | None:
    from passeur_einvoice.locate import detect

    return detect(name, head)


@hookimpl
def passeur_register_functions(register: Any) -> None:
    from passeur.dsl import MappingFunction  # the compiler, loaded only when mapping
    from passeur_einvoice.cii_functions import FUNCTIONS as CII_FUNCTIONS
    from passeur_einvoice.crossings import FUNCTIONS as CROSSINGS
    from passeur_einvoice.parties import FUNCTIONS as PARTY_FUNCTIONS
    from passeur_einvoice.parties import INEXACT
    from passeur_einvoice.ubl_functions import FUNCTIONS as UBL_FUNCTIONS

    for name, params, returns, impl, inverse, doc in (*PARTY_FUNCTIONS, *UBL_FUNCTIONS,
                                                       *CII_FUNCTIONS, *CROSSINGS):
        register(MappingFunction(name, params, returns, impl, inverse=inverse,
                                 accepts_absent=True, doc=doc,
                                 inexact=INEXACT.get(name, "")))
