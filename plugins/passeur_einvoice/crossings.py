"""Mapping functions for the UBL structures the canonical model keeps in their syntax's own
form, written in the other syntax: line allowances and charges (BG-27, BG-28), item
attributes (BG-32), item classifications (BT-158), the line object identifier (BT-128), the
receiving advice reference (BT-15), the payment means with their text, card, direct debit
mandate and debited account (BG-16, BT-82, BT-89, BT-91),
the VAT point date (BT-7) and its code (BT-8).

A UBL line `AllowanceCharge` and a CII line `SpecifiedTradeAllowanceCharge` carry the same
terms under other names; UBL puts the VAT point date and code on the document, CII on each
VAT breakdown row, with other UNTDID 2475 codes for the same three events. The language
can rename fields (it does, for the header allowances) but not the fields of every record
of a list that rides in an extension whole; these functions do, both ways.
"""

from __future__ import annotations

import datetime
from typing import Any

from passeur.dsl import ABSENT

__all__ = ["FUNCTIONS"]

#: UBL AllowanceCharge names -> CII SpecifiedTradeAllowanceCharge names
_ALLOWANCE = (("ChargeIndicator", "ChargeIndicator"),
              ("MultiplierFactorNumeric", "CalculationPercent"), ("BaseAmount", "BasisAmount"),
              ("Amount", "ActualAmount"), ("AllowanceChargeReasonCode", "ReasonCode"),
              ("AllowanceChargeReason", "Reason"))
_PROPERTY = (("Name", "Description"), ("Value", "Value"))
#: BT-128, the line object identifier: UBL line DocumentReference -> CII's (type 130)
_LINE_DOC = (("ID", "IssuerAssignedID"), ("DocumentTypeCode", "TypeCode"),
             ("ID_schemeID", "ReferenceTypeCode"))
_CLASS = (("ItemClassificationCode", "ClassCode"),
          ("ItemClassificationCode_listID", "ClassCode_listID"),
          ("ItemClassificationCode_listVersionID", "ClassCode_listVersionID"))
#: BT-8: UBL InvoicePeriod DescriptionCode (UNTDID 2005) -> CII DueDateTypeCode (2475)
_VAT_POINT = {"3": "5", "35": "29", "432": "72"}


def _renamed(records: Any, pairs: tuple[tuple[str, str], ...]) -> Any:
    if not isinstance(records, list) or not records:
        return ABSENT
    out = []
    for record in records:
        if isinstance(record, dict):
            out.append({new: record[old] for old, new in pairs if record.get(old) is not None})
    return out or ABSENT


def cii_allowances(ubl: Any) -> Any:
    """A UBL line's AllowanceCharge records as CII SpecifiedTradeAllowanceCharge."""
    return _renamed(ubl, _ALLOWANCE)


def ubl_allowances(cii: Any) -> Any:
    """A CII line's SpecifiedTradeAllowanceCharge records as UBL AllowanceCharge."""
    return _renamed(cii, tuple((new, old) for old, new in _ALLOWANCE))


def _back(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple((new, old) for old, new in pairs)


def cii_receipt(ubl: Any) -> Any:
    """BT-15: the first UBL ReceiptDocumentReference as CII's one referenced document."""
    first = next((r for r in ubl or () if isinstance(r, dict) and r.get("ID")), None) \
        if isinstance(ubl, list) else None
    return {"IssuerAssignedID": first["ID"]} if first else ABSENT


def ubl_receipts(cii: Any) -> Any:
    """BT-15: CII's receiving advice as UBL ReceiptDocumentReference records."""
    if isinstance(cii, dict) and cii.get("IssuerAssignedID"):
        return [{"ID": cii["IssuerAssignedID"]}]
    return ABSENT


def cii_payment_means(ubl: Any) -> Any:
    """UBL PaymentMeans (BG-16) as CII SpecifiedTradeSettlementPaymentMeans: the code and
    its text (BT-81, BT-82), the card (BG-18), the credited account (BG-17) and the debited
    one (BT-91)."""
    if not isinstance(ubl, list):
        return ABSENT
    out = []
    for means in ubl:
        if not isinstance(means, dict):
            continue
        item: dict[str, Any] = {}
        if means.get("PaymentMeansCode"):
            item["TypeCode"] = means["PaymentMeansCode"]
        if means.get("PaymentMeansCode_name"):
            item["Information"] = means["PaymentMeansCode_name"]
        card = means.get("CardAccount") or {}
        if card.get("PrimaryAccountNumberID"):
            item["ApplicableTradeSettlementFinancialCard"] = {
                k: v for k, v in (("ID", card["PrimaryAccountNumberID"]),
                                  ("CardholderName", card.get("HolderName"))) if v}
        payer = ((means.get("PaymentMandate") or {}).get("PayerFinancialAccount") or {})
        if payer.get("ID"):
            item["PayerPartyDebtorFinancialAccount"] = {"IBANID": payer["ID"]}
        account = means.get("PayeeFinancialAccount") or {}
        if account.get("ID") or account.get("Name"):
            item["PayeePartyCreditorFinancialAccount"] = {
                k: v for k, v in (("IBANID", account.get("ID")),
                                  ("AccountName", account.get("Name"))) if v}
        bic = (account.get("FinancialInstitutionBranch") or {}).get("ID")
        if bic:
            item["PayeeSpecifiedCreditorFinancialInstitution"] = {"BICID": bic}
        if item:
            out.append(item)
    return out or ABSENT


def ubl_payment_means(cii: Any, mandate: Any, payment_id: Any) -> Any:
    """CII payment means as UBL PaymentMeans: the inverse of `cii_payment_means`, with the
    remittance reference (BT-83) and the mandate reference (BT-89), which CII keeps outside
    the payment means, on each."""
    if not isinstance(cii, list):
        return ABSENT
    out = []
    for means in cii:
        if not isinstance(means, dict):
            continue
        item: dict[str, Any] = {}
        if means.get("TypeCode"):
            item["PaymentMeansCode"] = means["TypeCode"]
        if means.get("Information"):
            item["PaymentMeansCode_name"] = means["Information"]
        if isinstance(payment_id, str) and payment_id:
            item["PaymentID"] = payment_id
        card = means.get("ApplicableTradeSettlementFinancialCard") or {}
        if card.get("ID"):
            # UBL requires the card network, which EN 16931 and CII have not: "NA", as
            # for the placeholder OrderReference
            item["CardAccount"] = {k: v for k, v in (
                ("PrimaryAccountNumberID", card["ID"]), ("NetworkID", "NA"),
                ("HolderName", card.get("CardholderName"))) if v}
        account = means.get("PayeePartyCreditorFinancialAccount") or {}
        number = account.get("IBANID") or account.get("ProprietaryID")
        if number:
            financial: dict[str, Any] = {"ID": number}
            if account.get("AccountName"):
                financial["Name"] = account["AccountName"]
            bic = (means.get("PayeeSpecifiedCreditorFinancialInstitution") or {}).get("BICID")
            if bic:
                financial["FinancialInstitutionBranch"] = {"ID": bic}
            item["PayeeFinancialAccount"] = financial
        payer = (means.get("PayerPartyDebtorFinancialAccount") or {}).get("IBANID")
        if (isinstance(mandate, str) and mandate) or payer:
            mandate_record: dict[str, Any] = {}
            if isinstance(mandate, str) and mandate:
                mandate_record["ID"] = mandate
            if payer:
                mandate_record["PayerFinancialAccount"] = {"ID": payer}
            item["PaymentMandate"] = mandate_record
        if item.get("PaymentMeansCode"):  # UBL requires the code
            out.append(item)
    return out or ABSENT


def mandate_id(ubl: Any) -> Any:
    """BT-89, the direct debit mandate reference, of the first UBL PaymentMeans with one."""
    for means in ubl or ():
        found = ((means.get("PaymentMandate") or {}).get("ID")
                 if isinstance(means, dict) else None)
        if found:
            return found
    return ABSENT


def cii_tax_point(value: Any) -> Any:
    """The VAT point date (BT-7) as a CII TaxPointDate (format 102)."""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return ABSENT
    if not isinstance(value, datetime.date):
        return ABSENT
    return {"DateString": value.strftime("%Y%m%d"), "DateString_format": "102"}


def tax_point_date(rows: Any) -> Any:
    """The VAT point date (BT-7) of the first CII breakdown row that has one."""
    for row in rows or ():
        raw = ((row.get("TaxPointDate") or {}).get("DateString") or "") \
            if isinstance(row, dict) else ""
        if len(raw) == 8 and raw.isdigit():
            return datetime.date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    return ABSENT


def cii_vat_point_code(code: Any) -> Any:
    """BT-8 as CII writes it (a code outside the three EN 16931 allows passes unchanged)."""
    if code is ABSENT or code in (None, ""):
        return ABSENT
    return _VAT_POINT.get(str(code), str(code))


def vat_point_code(rows: Any) -> Any:
    """BT-8 as UBL writes it, from the first CII breakdown row that has a DueDateTypeCode."""
    back = {v: k for k, v in _VAT_POINT.items()}
    for row in rows or ():
        code = row.get("DueDateTypeCode") if isinstance(row, dict) else None
        if code:
            return back.get(str(code), str(code))
    return ABSENT


FUNCTIONS = (
    ("cii_item_properties", ("any",), "any", lambda v: _renamed(v, _PROPERTY), None,
     "UBL item attributes (BG-32) as CII ApplicableProductCharacteristic."),
    ("ubl_item_properties", ("any",), "any", lambda v: _renamed(v, _back(_PROPERTY)), None,
     "CII item characteristics (BG-32) as UBL AdditionalItemProperty."),
    ("cii_classifications", ("any",), "any", lambda v: _renamed(v, _CLASS), None,
     "UBL item classifications (BT-158) as CII DesignatedProductClassification."),
    ("ubl_classifications", ("any",), "any", lambda v: _renamed(v, _back(_CLASS)), None,
     "CII item classifications (BT-158) as UBL CommodityClassification."),
    ("cii_line_documents", ("any",), "any", lambda v: _renamed(v, _LINE_DOC), None,
     "A UBL line's object identifiers (BT-128) as CII AdditionalReferencedDocument."),
    ("ubl_line_documents", ("any",), "any", lambda v: _renamed(v, _back(_LINE_DOC)), None,
     "A CII line's object identifiers (BT-128) as UBL DocumentReference."),
    ("cii_payment_means_of_ubl", ("any",), "any", cii_payment_means, None,
     "UBL PaymentMeans (BG-16) as CII payment means."),
    ("ubl_payment_means_of_cii", ("any", "any", "any"), "any", ubl_payment_means, None,
     "CII payment means (BG-16) as UBL PaymentMeans, with BT-83 and BT-89."),
    ("ubl_mandate_id", ("any",), "any", mandate_id, None,
     "The direct debit mandate reference (BT-89) of UBL PaymentMeans."),
    ("cii_receipt", ("any",), "any", cii_receipt, None,
     "The receiving advice reference (BT-15) as a CII referenced document."),
    ("ubl_receipts", ("any",), "any", ubl_receipts, None,
     "The receiving advice reference (BT-15) as UBL ReceiptDocumentReference records."),
    ("cii_allowances", ("any",), "any", cii_allowances, None,
     "A UBL line's allowances and charges (BG-27, BG-28) as CII records."),
    ("ubl_allowances", ("any",), "any", ubl_allowances, None,
     "A CII line's allowances and charges (BG-27, BG-28) as UBL records."),
    ("cii_tax_point", ("any",), "any", cii_tax_point, None,
     "The VAT point date (BT-7) as a CII TaxPointDate."),
    ("cii_tax_point_date", ("any",), "any", tax_point_date, None,
     "The VAT point date (BT-7) of CII's VAT breakdown rows."),
    ("cii_vat_point_code", ("any",), "any", cii_vat_point_code, None,
     "The VAT point date code (BT-8) as a CII DueDateTypeCode."),
    ("cii_ubl_vat_point_code", ("any",), "any", vat_point_code, None,
     "The VAT point date code (BT-8) of CII's breakdown rows, as UBL writes it."),
)
