"""The systems this plugin declares: their document types come from the element trees."""

from __future__ import annotations

from passeur import Capabilities, DocumentType, SystemSpec, WireFormat
from passeur.xmldata import field_specs
from passeur_einvoice.ubl import read_ubl, write_ubl
from passeur_einvoice.ubl_tree import INVOICE as UBL_INVOICE

__all__ = ["FORMATS", "SYSTEMS", "UBL"]

_FILE = Capabilities(natural_keys=("ID",))

UBL = SystemSpec(
    name="ubl",
    title="UBL 2.1 (Peppol BIS Billing 3.0, UBL.BE / e-fff, French CTC)",
    description="UBL Invoice and CreditNote files; written as Peppol BIS Billing 3.0.",
    document_types=(DocumentType(
        name="invoice", canonical="invoice", capabilities=_FILE,
        fields=field_specs(UBL_INVOICE),
        description="an Invoice or CreditNote (a CreditNote reads with Invoice names)"),),
)

SYSTEMS = (UBL,)

FORMATS = (
    WireFormat(name="ubl.invoice", system="ubl", doctype="invoice", read=read_ubl,
               write=write_ubl, tax_rounding="document",
               line_kinds=frozenset({"item"}),
               description="a UBL 2.1 Invoice or CreditNote XML file"),
)
