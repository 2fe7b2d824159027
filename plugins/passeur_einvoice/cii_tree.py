"""UN/CEFACT CII D16B CrossIndustryInvoice as a declared element tree (EN 16931 subset).

Schema order of the D16B subset used by EN 16931 and Factur-X (MINIMUM to EXTENDED's common
part). Dates are `date102` (a `udt:DateTimeString format="102"` child), indicators
`udt:Indicator` children; amounts carry no currencyID except `TaxTotalAmount`, which may come
twice (document currency, and tax currency for BT-111).
"""

from __future__ import annotations

from passeur.xmldata import Node, Tree, group, leaf

__all__ = ["INVOICE", "NAMESPACES", "PROFILES"]

#: Factur-X profile -> BT-24 guideline ID (the `facturx` system's variants)
PROFILES = {
    "minimum": "urn:factur-x.eu:1p0:minimum",
    "basicwl": "urn:factur-x.eu:1p0:basicwl",
    "basic": "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
    "en16931": "urn:cen.eu:en16931:2017",
    "extended": "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
}

NAMESPACES = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}


def _r(name: str, kind: str = "text", *attrs: str, many: bool = False) -> Node:
    return leaf(f"ram:{name}", kind, *attrs, many=many)


def _g(name: str, *children: Node, many: bool = False) -> Node:
    return group(f"ram:{name}", *children, many=many)


def _doc(name: str, many: bool = False) -> Node:
    return _g(name, _r("IssuerAssignedID"), _r("LineID"),
              _g("FormattedIssueDateTime", leaf("qdt:DateTimeString", "text", "format")),
              many=many)


_TAX = (_r("CalculatedAmount", "amount"), _r("TypeCode", "code"), _r("ExemptionReason"),
        _r("BasisAmount", "amount"), _r("CategoryCode", "code"),
        _r("ExemptionReasonCode", "code"), _g("TaxPointDate", leaf("udt:DateString", "text",
                                                                   "format")),
        _r("DueDateTypeCode", "code"), _r("RateApplicablePercent", "decimal"))
_ALLOWANCE = _g(
    "SpecifiedTradeAllowanceCharge",
    _r("ChargeIndicator", "indicator"), _r("CalculationPercent", "decimal"),
    _r("BasisAmount", "amount"), _r("ActualAmount", "amount"), _r("ReasonCode", "code"),
    _r("Reason"),
    _g("CategoryTradeTax", _r("TypeCode", "code"), _r("CategoryCode", "code"),
       _r("RateApplicablePercent", "decimal")),
    many=True,
)
_PERIOD = _g("BillingSpecifiedPeriod", _r("StartDateTime", "date102"),
             _r("EndDateTime", "date102"))
_PARTY = (
    _r("ID", many=True), _r("GlobalID", "text", "schemeID", many=True), _r("Name"),
    _r("Description"),
    _g("SpecifiedLegalOrganization", _r("ID", "text", "schemeID"),
       _r("TradingBusinessName")),
    _g("DefinedTradeContact", _r("PersonName"), _r("DepartmentName"),
       _g("TelephoneUniversalCommunication", _r("CompleteNumber")),
       _g("FaxUniversalCommunication", _r("CompleteNumber")),
       _g("EmailURIUniversalCommunication", _r("URIID"))),
    _g("PostalTradeAddress", _r("PostcodeCode"), _r("LineOne"), _r("LineTwo"),
       _r("LineThree"), _r("CityName"), _r("CountryID", "code"),
       _r("CountrySubDivisionName")),
    _g("URIUniversalCommunication", _r("URIID", "text", "schemeID")),
    _g("SpecifiedTaxRegistration", _r("ID", "text", "schemeID"), many=True),
)
_LINE = _g(
    "IncludedSupplyChainTradeLineItem",
    _g("AssociatedDocumentLineDocument", _r("LineID"),
       _g("IncludedNote", _r("Content"))),
    _g("SpecifiedTradeProduct",
       _r("GlobalID", "text", "schemeID"), _r("SellerAssignedID"), _r("BuyerAssignedID"),
       _r("Name"), _r("Description"),
       _g("ApplicableProductCharacteristic", _r("Description"), _r("Value"), many=True),
       _g("DesignatedProductClassification",
          _r("ClassCode", "code", "listID", "listVersionID"), many=True),
       _g("OriginTradeCountry", _r("ID", "code"))),
    _g("SpecifiedLineTradeAgreement",
       _doc("BuyerOrderReferencedDocument"),
       _g("GrossPriceProductTradePrice", _r("ChargeAmount", "amount"),
          _r("BasisQuantity", "quantity", "unitCode"),
          _g("AppliedTradeAllowanceCharge", _r("ChargeIndicator", "indicator"),
             _r("ActualAmount", "amount"))),
       _g("NetPriceProductTradePrice", _r("ChargeAmount", "amount"),
          _r("BasisQuantity", "quantity", "unitCode"))),
    _g("SpecifiedLineTradeDelivery", _r("BilledQuantity", "quantity", "unitCode")),
    _g("SpecifiedLineTradeSettlement",
       _g("ApplicableTradeTax", *_TAX, many=True),
       _PERIOD,
       _ALLOWANCE,
       _g("SpecifiedTradeSettlementLineMonetarySummation", _r("LineTotalAmount", "amount")),
       _g("AdditionalReferencedDocument", _r("IssuerAssignedID"), _r("TypeCode", "code"),
          _r("ReferenceTypeCode", "code"), many=True),
       _g("ReceivableSpecifiedTradeAccountingAccount", _r("ID"))),
    many=True,
)
_ROOT = (
    group("rsm:ExchangedDocumentContext",
          _g("TestIndicator", leaf("udt:Indicator", "bool")),
          _g("BusinessProcessSpecifiedDocumentContextParameter", _r("ID")),
          _g("GuidelineSpecifiedDocumentContextParameter", _r("ID"))),
    group("rsm:ExchangedDocument",
          _r("ID"), _r("Name"), _r("TypeCode", "code"), _r("IssueDateTime", "date102"),
          _r("LanguageID"),
          _g("IncludedNote", _r("Content"), _r("SubjectCode", "code"), many=True)),
    group("rsm:SupplyChainTradeTransaction",
          _LINE,
          _g("ApplicableHeaderTradeAgreement",
             _r("BuyerReference"),
             _g("SellerTradeParty", *_PARTY),
             _g("BuyerTradeParty", *_PARTY),
             _g("SellerTaxRepresentativeTradeParty", *_PARTY),
             _doc("SellerOrderReferencedDocument"),
             _doc("BuyerOrderReferencedDocument"),
             _doc("ContractReferencedDocument"),
             _g("AdditionalReferencedDocument",
                _r("IssuerAssignedID"), _r("URIID"), _r("TypeCode", "code"), _r("Name"),
                _r("AttachmentBinaryObject", "binary", "mimeCode", "filename"),
                _r("ReferenceTypeCode", "code"), many=True),
             _g("SpecifiedProcuringProject", _r("ID"), _r("Name"))),
          _g("ApplicableHeaderTradeDelivery",
             _g("ShipToTradeParty", *_PARTY),
             _g("ActualDeliverySupplyChainEvent", _r("OccurrenceDateTime", "date102")),
             _doc("DespatchAdviceReferencedDocument"),
             _doc("ReceivingAdviceReferencedDocument")),
          _g("ApplicableHeaderTradeSettlement",
             _r("CreditorReferenceID"), _r("PaymentReference"), _r("TaxCurrencyCode", "code"),
             _r("InvoiceCurrencyCode", "code"),
             _g("PayeeTradeParty", *_PARTY),
             _g("SpecifiedTradeSettlementPaymentMeans",
                _r("TypeCode", "code"), _r("Information"),
                _g("ApplicableTradeSettlementFinancialCard", _r("ID"), _r("CardholderName")),
                _g("PayerPartyDebtorFinancialAccount", _r("IBANID")),
                _g("PayeePartyCreditorFinancialAccount", _r("IBANID"), _r("AccountName"),
                   _r("ProprietaryID")),
                _g("PayeeSpecifiedCreditorFinancialInstitution", _r("BICID")),
                many=True),
             _g("ApplicableTradeTax", *_TAX, many=True),
             _PERIOD,
             _ALLOWANCE,
             _g("SpecifiedTradePaymentTerms", _r("Description"),
                _r("DueDateDateTime", "date102"), _r("DirectDebitMandateID")),
             _g("SpecifiedTradeSettlementHeaderMonetarySummation",
                _r("LineTotalAmount", "amount"), _r("ChargeTotalAmount", "amount"),
                _r("AllowanceTotalAmount", "amount"), _r("TaxBasisTotalAmount", "amount"),
                _r("TaxTotalAmount", "amount", "currencyID", many=True),
                _r("RoundingAmount", "amount"), _r("GrandTotalAmount", "amount"),
                _r("TotalPrepaidAmount", "amount"), _r("DuePayableAmount", "amount")),
             _doc("InvoiceReferencedDocument", many=True),
             _g("ReceivableSpecifiedTradeAccountingAccount", _r("ID")))),
)

INVOICE = Tree(NAMESPACES, "rsm", "CrossIndustryInvoice", _ROOT)
