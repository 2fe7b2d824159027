"""UBL 2.1 Invoice and CreditNote as a declared element tree (schema order), EN 16931 subset.

The tree covers every element EN 16931 and Peppol BIS Billing 3.0 use, plus what the Belgian
UBL.BE / e-fff and French CTC files in the corpus carry; anything else is kept as XML text
(`UnmappedXML`). Elements EN 16931 allows once are declared single even where UBL allows more
(a repeat is kept as XML, with a note). A CreditNote is read into the same plain record as an
Invoice (`CreditNoteTypeCode` as `InvoiceTypeCode`, `CreditNoteLine` as `InvoiceLine`,
`CreditedQuantity` as `InvoicedQuantity`), and written back under its own names and order.
"""

from __future__ import annotations

import attrs

from passeur.xmldata import Node, Tree, group, leaf

__all__ = ["CREDIT_NOTE", "CREDIT_NOTE_CODES", "INVOICE", "NAMESPACES", "RENAMES",
           "TAX_IN_TAX_CURRENCY"]

#: BT-111, the VAT total in the tax currency: UBL's second TaxTotal, told apart from the
#: first by its currencyID (the tree declares one TaxTotal; the second would ride as XML)
TAX_IN_TAX_CURRENCY = "TaxAmountInTaxCurrency"

NAMESPACES = {
    "": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CN_NAMESPACE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"

#: UNTDID 1001 codes that are credit notes (written under a CreditNote root).
CREDIT_NOTE_CODES = frozenset({"381", "396", "81", "83", "532"})

#: plain-record name -> CreditNote element name
RENAMES = {"InvoiceTypeCode": "CreditNoteTypeCode", "InvoiceLine": "CreditNoteLine",
           "InvoicedQuantity": "CreditedQuantity"}


def _c(name: str, kind: str = "text", *attrs: str, many: bool = False) -> Node:
    return leaf(f"cbc:{name}", kind, *attrs, many=many)


def _a(name: str, *children: Node, many: bool = False) -> Node:
    return group(f"cac:{name}", *children, many=many)


_TAX_SCHEME = _a("TaxScheme", _c("ID", "code"))
_TAX_CATEGORY = (_c("ID", "code", "schemeID"), _c("Name"), _c("Percent", "decimal"),
                 _c("TaxExemptionReasonCode", "code"), _c("TaxExemptionReason"), _TAX_SCHEME)
_COUNTRY = _a("Country", _c("IdentificationCode", "code"))
_ADDRESS = (
    _c("Postbox"), _c("StreetName"), _c("AdditionalStreetName"), _c("BuildingNumber"),
    _c("Department"), _c("CityName"), _c("PostalZone"), _c("CountrySubentity"),
    _a("AddressLine", _c("Line"), many=True), _COUNTRY,
)
_PARTY = _a(
    "Party",
    _c("WebsiteURI"),
    _c("EndpointID", "text", "schemeID"),
    _a("PartyIdentification", _c("ID", "text", "schemeID"), many=True),
    _a("PartyName", _c("Name")),
    _a("PostalAddress", *_ADDRESS),
    _a("PartyTaxScheme", _c("CompanyID", "text", "schemeID"), _TAX_SCHEME, many=True),
    _a("PartyLegalEntity", _c("RegistrationName"), _c("CompanyID", "text", "schemeID"),
       _c("CompanyLegalForm")),
    _a("Contact", _c("Name"), _c("Telephone"), _c("Telefax"), _c("ElectronicMail")),
)
_PERIOD = (_c("StartDate", "date"), _c("EndDate", "date"), _c("DescriptionCode", "code"))
_DOC_REF = (
    _c("ID", "text", "schemeID"), _c("IssueDate", "date"), _c("DocumentTypeCode", "code"),
    _c("DocumentType"), _c("DocumentDescription"),
    _a("Attachment",
       _c("EmbeddedDocumentBinaryObject", "binary", "mimeCode", "filename"),
       _a("ExternalReference", _c("URI"))),
)
_ALLOWANCE = _a(
    "AllowanceCharge",
    _c("ChargeIndicator", "bool"), _c("AllowanceChargeReasonCode", "code"),
    _c("AllowanceChargeReason"), _c("MultiplierFactorNumeric", "decimal"),
    _c("Amount", "amount"), _c("BaseAmount", "amount"),
    _a("TaxCategory", *_TAX_CATEGORY),
    many=True,
)
_TAX_TOTAL = _a(
    "TaxTotal",
    _c("TaxAmount", "amount"), _c("RoundingAmount", "amount"),
    _a("TaxSubtotal", _c("TaxableAmount", "amount"), _c("TaxAmount", "amount"),
       _c("Percent", "decimal"), _a("TaxCategory", *_TAX_CATEGORY), many=True),
)
_ITEM = _a(
    "Item",
    _c("Description"), _c("Name"),
    _a("BuyersItemIdentification", _c("ID")),
    _a("SellersItemIdentification", _c("ID")),
    _a("StandardItemIdentification", _c("ID", "text", "schemeID")),
    _a("OriginCountry", _c("IdentificationCode", "code")),
    _a("CommodityClassification",
       _c("ItemClassificationCode", "code", "listID", "listVersionID"), many=True),
    _a("ClassifiedTaxCategory", *_TAX_CATEGORY, many=True),
    _a("AdditionalItemProperty", _c("Name"), _c("Value"), many=True),
)
_PRICE = _a(
    "Price",
    _c("PriceAmount", "amount"), _c("BaseQuantity", "quantity", "unitCode"),
    _a("AllowanceCharge", _c("ChargeIndicator", "bool"), _c("Amount", "amount"),
       _c("BaseAmount", "amount")),
)
_LINE = _a(
    "InvoiceLine",
    _c("ID"), _c("Note"), _c("InvoicedQuantity", "quantity", "unitCode"),
    _c("LineExtensionAmount", "amount"), _c("AccountingCost"),
    _a("InvoicePeriod", *_PERIOD),
    _a("OrderLineReference", _c("LineID")),
    _a("DocumentReference", *_DOC_REF, many=True),
    _ALLOWANCE, _TAX_TOTAL, _ITEM, _PRICE,
    many=True,
)
_MONETARY = _a(
    "LegalMonetaryTotal",
    _c("LineExtensionAmount", "amount"), _c("TaxExclusiveAmount", "amount"),
    _c("TaxInclusiveAmount", "amount"), _c("AllowanceTotalAmount", "amount"),
    _c("ChargeTotalAmount", "amount"), _c("PrepaidAmount", "amount"),
    _c("PayableRoundingAmount", "amount"), _c("PayableAmount", "amount"),
)
_PAYMENT_MEANS = _a(
    "PaymentMeans",
    _c("PaymentMeansCode", "code", "name"), _c("PaymentDueDate", "date"),
    _c("InstructionNote"), _c("PaymentID"),
    _a("CardAccount", _c("PrimaryAccountNumberID"), _c("NetworkID"), _c("HolderName")),
    _a("PayeeFinancialAccount", _c("ID"), _c("Name"),
       _a("FinancialInstitutionBranch", _c("ID"))),
    _a("PaymentMandate", _c("ID"), _a("PayerFinancialAccount", _c("ID"))),
    many=True,
)


def _root(credit_note: bool) -> tuple[Node, ...]:
    refs_invoice = (
        _a("BillingReference", _a("InvoiceDocumentReference", _c("ID"),
                                  _c("IssueDate", "date")), many=True),
        _a("DespatchDocumentReference", _c("ID"), many=True),
        _a("ReceiptDocumentReference", _c("ID"), many=True),
        _a("OriginatorDocumentReference", _c("ID"), many=True),
        _a("ContractDocumentReference", _c("ID"), many=True),
        _a("AdditionalDocumentReference", *_DOC_REF, many=True),
        _a("ProjectReference", _c("ID"), many=True),
    )
    refs = refs_invoice if not credit_note else (
        refs_invoice[0], refs_invoice[1], refs_invoice[2], refs_invoice[4], refs_invoice[5],
        refs_invoice[3], refs_invoice[6])
    return (
        _c("UBLVersionID"), _c("CustomizationID"), _c("ProfileID"), _c("ID"),
        _c("IssueDate", "date"),
        *((_c("TaxPointDate", "date"),) if credit_note else (_c("DueDate", "date"),)),
        _c("InvoiceTypeCode", "code", "listID"), _c("Note", many=True),
        *(() if credit_note else (_c("TaxPointDate", "date"),)),
        _c("DocumentCurrencyCode", "code"),
        _c("TaxCurrencyCode", "code"), _c("AccountingCost"), _c("BuyerReference"),
        _a("InvoicePeriod", *_PERIOD),
        _a("OrderReference", _c("ID"), _c("SalesOrderID")),
        *refs,
        _a("AccountingSupplierParty", _PARTY),
        _a("AccountingCustomerParty", _PARTY),
        _a("PayeeParty", *_PARTY.children),
        _a("TaxRepresentativeParty", *_PARTY.children),
        _a("Delivery", _c("ActualDeliveryDate", "date"),
           _a("DeliveryLocation", _c("ID", "text", "schemeID"), _a("Address", *_ADDRESS)),
           _a("DeliveryParty", _a("PartyName", _c("Name")))),
        _PAYMENT_MEANS,
        _a("PaymentTerms", _c("Note")),
        _ALLOWANCE,
        _TAX_TOTAL,
        _MONETARY,
        _LINE,
    )


def _renamed(nodes: tuple[Node, ...]) -> tuple[Node, ...]:
    out = []
    for node in nodes:
        name = RENAMES.get(node.name)
        tag = f"{node.prefix}:{name}" if name else node.tag
        out.append(attrs.evolve(node, tag=tag, children=_renamed(node.children)))
    return tuple(out)


INVOICE = Tree(NAMESPACES, "", "Invoice", _root(False), currency_key="DocumentCurrencyCode")
CREDIT_NOTE = Tree({**NAMESPACES, "": CN_NAMESPACE}, "", "CreditNote", _renamed(_root(True)),
                   currency_key="DocumentCurrencyCode")
