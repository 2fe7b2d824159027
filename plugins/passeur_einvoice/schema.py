"""The systems this plugin declares: their document types come from the element trees.

Readers, writers and checks are named (`LazyFactory`), not imported: they load lxml and
the XML schemas, which a start that converts no XML never needs."""

from __future__ import annotations

from typing import Any

import attrs

from passeur import (
    Capabilities,
    ConfigField,
    DocumentType,
    FieldSpec,
    FieldType,
    Issue,
    Level,
    SystemSpec,
    WireFormat,
)
from passeur.model import Invoice, complete_en16931, validate_en16931
from passeur.sandbox import LazyFactory
from passeur.xmldata import field_specs
from passeur_einvoice.cii_tree import INVOICE as CII_INVOICE
from passeur_einvoice.cii_tree import PROFILES
from passeur_einvoice.losses import cii_losses
from passeur_einvoice.ubl_tree import INVOICE as UBL_INVOICE
from passeur_einvoice.ubl_tree import TAX_IN_TAX_CURRENCY
from passeur_einvoice.xmlfile import one_file, whole_file

__all__ = ["CII", "FACTURX", "FORMATS", "SYSTEMS", "UBL"]

#: files in a folder connection (`passeur.engine.folder`): read, and written one per document
_FILE = Capabilities(list=True, get=True, create=True)
#: text, blank and subtotal lines become notes or are left out, with a note (`complete`)
_KINDS = frozenset({"item", "product_group", "text", "blank", "subtotal"})

UBL = SystemSpec(
    name="ubl",
    title="UBL 2.1 (Peppol BIS Billing 3.0, UBL.BE / e-fff, French CTC)",
    description="UBL Invoice and CreditNote files; written as Peppol BIS Billing 3.0.",
    document_types=(DocumentType(
        name="invoice", canonical="invoice",
        capabilities=Capabilities(list=True, get=True, create=True, natural_keys=("ID",)),
        fields=(*field_specs(UBL_INVOICE),
                FieldSpec(TAX_IN_TAX_CURRENCY, FieldType.DECIMAL,
                          description="BT-111: the second TaxTotal's amount, in the tax "
                          "currency (TaxCurrencyCode)")),
        description="an Invoice or CreditNote (a CreditNote reads with Invoice names)"),),
)

CII = SystemSpec(
    name="cii",
    title="UN/CEFACT CII D16B (EN 16931, Factur-X / ZUGFeRD 2 XML, XRechnung CII)",
    description="CrossIndustryInvoice XML files.",
    document_types=(DocumentType(
        name="invoice", canonical="invoice", capabilities=_FILE,
        fields=field_specs(CII_INVOICE), description="a CrossIndustryInvoice"),),
)

FACTURX = SystemSpec(
    name="facturx",
    variants=tuple(f"facturx_{p}" for p in PROFILES),
    variant_setting="profile",
    config=(ConfigField("profile", FieldType.ENUM,
                        allowed=tuple(f"facturx_{p}" for p in PROFILES),
                        description="the profile written (the variant); EN 16931 by default"),),
    title="Factur-X / ZUGFeRD 2 PDF",
    description="A PDF/A-3 invoice carrying its CII XML; `--to facturx_PROFILE` writes "
                f"one profile ({', '.join(PROFILES)}; EN 16931 by default).",
    document_types=(DocumentType(
        name="invoice", canonical="invoice", capabilities=_FILE,
        fields=(*field_specs(CII_INVOICE),
                FieldSpec("Profile", FieldType.ENUM, allowed=tuple(PROFILES),
                          description="the Factur-X profile (BT-24)"),
                FieldSpec("PDF", FieldType.STRING, description="the PDF itself, base64"),
                FieldSpec("PDFName", FieldType.STRING, description="the PDF's file name")),
        description="a Factur-X PDF: its embedded CII invoice, profile and PDF"),),
)

SYSTEMS = (UBL, CII, FACTURX)


def _en16931(model: Any) -> tuple[Any, list[Issue]]:
    """What EN 16931 requires and the document determines, completed before writing; then
    each rule it still breaks, a warning naming the rule and its business terms (the file
    is written and said not to be valid; `--on-issue error` refuses it instead)."""
    if not isinstance(model, Invoice):
        return model, []
    model, found = complete_en16931(model)
    for f in validate_en16931(model):
        terms = f" ({', '.join(f.terms)})" if f.terms else ""
        found.append(Issue(Level.WARNING, f"not EN 16931-valid: {f.rule}{terms}: {f.message}",
                           f.rule, f.path))
    return model, found


def _cii_hub(model: Any) -> tuple[Any, list[Issue]]:
    """As `_en16931`, and what a CII file will not carry said (`losses`)."""
    model, found = _en16931(model)
    return model, found + cii_losses(model)


def _facturx_hub(model: Any) -> tuple[Any, list[Issue]]:
    model, found = _cii_hub(model)
    model, more = _pdf_for_facturx(model)
    return model, found + more


def _pdf_for_facturx(model: Any) -> tuple[Any, list[Issue]]:
    """A Factur-X PDF is written into the invoice's PDF: the one read with it, else a PDF
    attachment of the invoice (a UBL.BE file embeds one); without any, the write is refused."""
    extensions = dict(model.extensions)
    if extensions.get("facturx_pdf"):
        return model, []
    for attachment in model.attachments:
        if attachment.content and (attachment.mime_type == "application/pdf"
                                   or str(attachment.filename or "").lower().endswith(".pdf")):
            extensions["facturx_pdf"] = attachment.content
            extensions.setdefault("facturx_pdf_name", attachment.filename or "invoice.pdf")
            note = Issue(Level.INFO, f"the Factur-X PDF is built on the attached PDF "
                         f"{attachment.filename or attachment.id or ''}".rstrip(),
                         "facturx.pdf", "$.attachments")
            others = tuple(a for a in model.attachments if a is not attachment)
            return attrs.evolve(model, extensions=extensions, attachments=others), [note]
    return model, [Issue(Level.ERROR, "a Factur-X PDF is written into the invoice's own PDF, "
                         "and this document has none: give it with `passeur convert ... "
                         "--attach invoice.pdf`, or convert to cii for the XML alone",
                         "facturx.no_pdf", "$")]


def _lazy(name: str) -> LazyFactory:
    return LazyFactory(f"passeur_einvoice.{name}")


read_ubl, write_ubl = _lazy("ubl:read_ubl"), _lazy("ubl:write_ubl")
read_cii, write_cii = _lazy("cii:read_cii"), _lazy("cii:write_cii")
read_facturx, write_facturx = _lazy("facturx:read_facturx"), _lazy("facturx:write_facturx")
locate = _lazy("locate:locate")
schematron_check = _lazy("schematron:schematron_check")
facturx_schematron_check = _lazy("schematron:facturx_schematron_check")

FORMATS = (
    WireFormat(name="ubl.invoice", system="ubl", doctype="invoice", read=read_ubl,
               write=write_ubl, tax_rounding="document", line_kinds=_KINDS,
               read_file=whole_file, write_file=one_file,
               from_hub=_en16931, locate=locate, schematron=schematron_check,
               description="a UBL 2.1 Invoice or CreditNote XML file"),
    WireFormat(name="cii.invoice", system="cii", doctype="invoice", read=read_cii,
               write=write_cii, tax_rounding="document", line_kinds=_KINDS,
               read_file=whole_file, write_file=one_file,
               from_hub=_cii_hub, locate=locate, schematron=schematron_check,
               description="a CII D16B CrossIndustryInvoice XML file"),
    WireFormat(name="facturx.invoice", system="facturx", doctype="invoice",
               read=read_facturx, write=write_facturx, tax_rounding="document",
               line_kinds=_KINDS, from_hub=_facturx_hub,
               read_file=whole_file, write_file=one_file,
               schematron=facturx_schematron_check,
               description="a Factur-X / ZUGFeRD 2 PDF with its embedded CII XML"),
)
