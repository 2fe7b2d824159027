"""Where a canonical data path stands in a UBL or CII file: XPath and line, for messages.

`passeur validate` checks the canonical document; these tables point each finding back at
the element of the file it comes from (the nearest existing ancestor when the element the
rule wants is missing, which is often the point of the rule).
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from passeur.xml import XMLInputError, detect_syntax, parse_xml, xpath_of

__all__ = ["detect", "locate"]

_UBL_PARTY = {"seller": "cac:AccountingSupplierParty/cac:Party",
              "buyer": "cac:AccountingCustomerParty/cac:Party"}
_CII_PARTY = {"seller": "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/"
                        "ram:SellerTradeParty",
              "buyer": "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/"
                       "ram:BuyerTradeParty"}
_CII_SUM = ("rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/"
            "ram:SpecifiedTradeSettlementHeaderMonetarySummation/")
_CII_SETTLE = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/"
_CII_LINE = "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem[{n}]"

# (canonical path pattern, UBL XPath, CII XPath); {n} is the 1-based index, {L} the line tag
_TABLE: tuple[tuple[str, str, str], ...] = (
    (r"\$\.number$", "cbc:ID", "rsm:ExchangedDocument/ram:ID"),
    (r"\$\.issue_date$", "cbc:IssueDate", "rsm:ExchangedDocument/ram:IssueDateTime"),
    (r"\$\.due_date$", "cbc:DueDate",
     _CII_SETTLE + "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime"),
    (r"\$\.currency$", "cbc:DocumentCurrencyCode", _CII_SETTLE + "ram:InvoiceCurrencyCode"),
    (r"\$\.(seller|buyer)\.name$", "{P}/cac:PartyLegalEntity/cbc:RegistrationName",
     "{P}/ram:Name"),
    (r"\$\.(seller|buyer)\.address\.country$",
     "{P}/cac:PostalAddress/cac:Country/cbc:IdentificationCode",
     "{P}/ram:PostalTradeAddress/ram:CountryID"),
    (r"\$\.(seller|buyer)\.address", "{P}/cac:PostalAddress", "{P}/ram:PostalTradeAddress"),
    (r"\$\.(seller|buyer)\.identifiers", "{P}/cac:PartyTaxScheme",
     "{P}/ram:SpecifiedTaxRegistration"),
    (r"\$\.(seller|buyer)", "{P}", "{P}"),
    (r"\$\.totals\.line_net$", "cac:LegalMonetaryTotal/cbc:LineExtensionAmount",
     _CII_SUM + "ram:LineTotalAmount"),
    (r"\$\.totals\.net$", "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount",
     _CII_SUM + "ram:TaxBasisTotalAmount"),
    (r"\$\.totals\.gross$", "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount",
     _CII_SUM + "ram:GrandTotalAmount"),
    (r"\$\.totals\.due$", "cac:LegalMonetaryTotal/cbc:PayableAmount",
     _CII_SUM + "ram:DuePayableAmount"),
    (r"\$\.totals\.tax$", "cac:TaxTotal/cbc:TaxAmount", _CII_SUM + "ram:TaxTotalAmount"),
    (r"\$\.totals\.allowances$", "cac:LegalMonetaryTotal/cbc:AllowanceTotalAmount",
     _CII_SUM + "ram:AllowanceTotalAmount"),
    (r"\$\.totals\.charges$", "cac:LegalMonetaryTotal/cbc:ChargeTotalAmount",
     _CII_SUM + "ram:ChargeTotalAmount"),
    (r"\$\.totals\.paid$", "cac:LegalMonetaryTotal/cbc:PrepaidAmount",
     _CII_SUM + "ram:TotalPrepaidAmount"),
    (r"\$\.totals", "cac:LegalMonetaryTotal", _CII_SUM.rstrip("/")),
    (r"\$\.tax_breakdown\[\d+\]\.taxable_amount$", "cac:TaxTotal/cac:TaxSubtotal[{n}]/"
     "cbc:TaxableAmount", _CII_SETTLE + "ram:ApplicableTradeTax[{n}]/ram:BasisAmount"),
    (r"\$\.tax_breakdown\[\d+\]\.tax_amount$", "cac:TaxTotal/cac:TaxSubtotal[{n}]/"
     "cbc:TaxAmount", _CII_SETTLE + "ram:ApplicableTradeTax[{n}]/ram:CalculatedAmount"),
    (r"\$\.tax_breakdown\[\d+\]", "cac:TaxTotal/cac:TaxSubtotal[{n}]",
     _CII_SETTLE + "ram:ApplicableTradeTax[{n}]"),
    (r"\$\.tax_breakdown", "cac:TaxTotal", _CII_SETTLE.rstrip("/")),
    (r"\$\.allowance_charges\[\d+\]", "cac:AllowanceCharge[{n}]",
     _CII_SETTLE + "ram:SpecifiedTradeAllowanceCharge[{n}]"),
    (r"\$\.lines\[\d+\]\.net_amount$", "cac:{L}[{n}]/cbc:LineExtensionAmount",
     _CII_LINE + "/ram:SpecifiedLineTradeSettlement/"
     "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"),
    (r"\$\.lines\[\d+\]\.(quantity|unit)$", "cac:{L}[{n}]/cbc:{Q}",
     _CII_LINE + "/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"),
    (r"\$\.lines\[\d+\]\.taxes", "cac:{L}[{n}]/cac:Item/cac:ClassifiedTaxCategory",
     _CII_LINE + "/ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax"),
    (r"\$\.lines\[\d+\]\.name$", "cac:{L}[{n}]/cac:Item/cbc:Name",
     _CII_LINE + "/ram:SpecifiedTradeProduct/ram:Name"),
    (r"\$\.lines\[\d+\]\.unit_price_net$", "cac:{L}[{n}]/cac:Price/cbc:PriceAmount",
     _CII_LINE + "/ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/"
     "ram:ChargeAmount"),
    (r"\$\.lines\[\d+\]", "cac:{L}[{n}]", _CII_LINE),
)
_INDEX = re.compile(r"\[(\d+)\]")


def _steps(root: Any, path: str, ubl: bool) -> str | None:
    for pattern, ubl_xpath, cii_xpath in _TABLE:
        match = re.match(pattern, path)
        if not match:
            continue
        index = _INDEX.search(path)
        party = match.group(1) if match.groups() and match.group(1) in _UBL_PARTY else None
        credit = etree.QName(root).localname == "CreditNote"
        template = ubl_xpath if ubl else cii_xpath
        return template.format(
            n=int(index.group(1)) + 1 if index else 1,
            P=(_UBL_PARTY if ubl else _CII_PARTY).get(party or "", ""),
            L="CreditNoteLine" if credit else "InvoiceLine",
            Q="CreditedQuantity" if credit else "InvoicedQuantity")
    return None


def locate(data: bytes, path: str) -> tuple[str, int] | None:
    """(XPath, line) of the element of a UBL or CII file a canonical path comes from, or
    of its nearest ancestor that is in the file; None when the file is not UBL or CII."""
    try:
        root = parse_xml(data).getroot()
    except XMLInputError:
        return None
    syntax = detect_syntax(root)
    if syntax is None or syntax.system not in ("ubl", "cii"):
        return None
    steps = _steps(root, path, syntax.system == "ubl")
    if steps is None:
        return xpath_of(root), root.sourceline or 1
    namespaces = {k: v for k, v in root.nsmap.items() if k}
    namespaces.update({"cac": "urn:oasis:names:specification:ubl:schema:xsd:"
                              "CommonAggregateComponents-2",
                       "cbc": "urn:oasis:names:specification:ubl:schema:xsd:"
                              "CommonBasicComponents-2"})
    parts = steps.split("/")
    while parts:
        try:
            found = root.xpath("/".join(parts), namespaces=namespaces)
        except etree.XPathError:
            found = []
        if found:
            return xpath_of(found[0]), found[0].sourceline or 1
        parts.pop()
    return xpath_of(root), root.sourceline or 1


def detect(name: str, head: bytes) -> str | None:
    """The format of an e-invoice file from its first bytes: a PDF is Factur-X, an XML
    file's root element names UBL or CII."""
    if head.lstrip()[:5] == b"%PDF-":
        return "facturx.invoice"
    text = head.lstrip()
    if not text.startswith((b"<", b"\xef\xbb\xbf<")):
        return None
    for marker, fmt in ((b"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2", "ubl"),
                        (b"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2", "ubl"),
                        (b"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
                         "cii")):
        if marker in head:
            return f"{fmt}.invoice"
    return None
