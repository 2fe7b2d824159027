"""ERP Connector's JSON forms: what `passeur convert` reads and writes for this system.

Read: the invoice object a GET returns (seed 003), the create payload with its `Facture`
wrapper (seed 004), or the task result of a create whose `ResultPayload.FullTransaction`
holds the invoice. All three become one plain record shaped like the GET object, plus
`ListeModePaiements` when the payload had payments. Written: the create payload.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from passeur import (
    Issue,
    Level,
    WireFormat,
    expect_object,
    not_this_system,
    read_fields,
    wire_error,
    write_fields,
)
from passeur.model import DocumentKind, Invoice, LineKind
from passeur_erpconnector.schema import DOCUMENTED_TYPE_DOC_CODES, INVOICE, TYPE_DOC_CODES
from passeur_erpconnector.taxes import infer_line_taxes

__all__ = ["FORMATS", "check_lines", "read_invoice", "write_invoice"]

_HEADER_KEYS = frozenset(spec.name for spec in INVOICE.fields)


def _unwrap(value: Any, source: str) -> tuple[dict[str, Any] | None, str, list[Issue]]:
    """The invoice object inside any accepted form, and the data path it sits at."""
    shape = expect_object(value, "an ERP Connector invoice", source)
    if shape is not None:
        return None, "$", [shape]
    if "Facture" in value:
        inner = value["Facture"]
        shape = expect_object(inner, "an ERP Connector invoice", source, "$.Facture")
        if shape is not None:
            return None, "$.Facture", [shape]
        return inner, "$.Facture", []
    if "ResultPayload" in value:
        payload = value.get("ResultPayload") or {}
        full = payload.get("FullTransaction") if isinstance(payload, dict) else None
        if not isinstance(full, dict):
            return None, "$.ResultPayload", [wire_error(
                "this task result has no FullTransaction; create with "
                '"ReturnFullTransaction": true to get the invoice back',
                "$.ResultPayload", source)]
        return full, "$.ResultPayload.FullTransaction", []
    if not _HEADER_KEYS & value.keys():
        return None, "$", [not_this_system("ERP Connector invoice", "$", source,
                                           "NoFacture, DateFacture, LigneFacture...")]
    return value, "$", []


def read_invoice(value: Any, source: str = "") -> tuple[dict[str, Any] | None, list[Issue]]:
    """Plain record from a GET object, a create payload or a create task result."""
    record, path, issues = _unwrap(value, source)
    if record is None:
        return None, issues
    record = dict(record)
    code = record.get("TypeDoc")
    unknown_code = None
    if isinstance(code, int) and not isinstance(code, bool):
        if code in TYPE_DOC_CODES:
            record["TypeDoc"] = TYPE_DOC_CODES[code]
            if code not in DOCUMENTED_TYPE_DOC_CODES:
                issues.append(Issue(Level.INFO, f"TypeDoc code {code} read as "
                                    f"{TYPE_DOC_CODES[code]} (an assumption: only 1 = FACTURES "
                                    "is documented)", "wire.assumed", f"{path}.TypeDoc",
                                    source or None))
        else:
            unknown_code = record.pop("TypeDoc")
            known = ", ".join(f"{k} = {v}" for k, v in TYPE_DOC_CODES.items())
            issues.append(wire_error(f"TypeDoc code {code} is not documented (known: {known})",
                                 f"{path}.TypeDoc", source, "wire.value"))
    plain = read_fields(record, INVOICE.fields, path, issues, source or None)
    if unknown_code is not None:
        plain["TypeDoc"] = unknown_code
    if path == "$.Facture" and "ListeModePaiements" in value:
        outer = read_fields({"ListeModePaiements": value["ListeModePaiements"]},
                            INVOICE.fields, "$", issues, source or None)
        plain["ListeModePaiements"] = outer["ListeModePaiements"]
    return plain, issues


def write_invoice(plain: dict[str, Any]) -> dict[str, Any]:
    """The create payload of POST /Entity/CustomerInvoice for a plain record."""
    header = {k: v for k, v in plain.items() if k != "ListeModePaiements"}
    wire = write_fields(header, INVOICE.fields, "number", drop_read_only=True)
    payments = plain.get("ListeModePaiements")
    if payments is not None:
        spec = INVOICE.field("ListeModePaiements")
        assert spec is not None
        payments = [write_fields(p, spec.fields, "number") for p in payments]
    return {"Facture": wire, "ListeModePaiements": payments, "ReturnFullTransaction": True}


#: Kinds written with the closest TypeDoc (table erp_type_doc of erpconnector-invoice.map);
#: the exact kind rides in ExtendedProperties. A credit note written as an invoice posts
#: unless its amounts are negative: a warning; the others lose nothing: information.
_APPROXIMATED_KINDS = {
    DocumentKind.PROFORMA: Level.INFO, DocumentKind.ADVANCE: Level.INFO,
    DocumentKind.FINAL: Level.INFO, DocumentKind.RECEIPT: Level.INFO,
    DocumentKind.OTHER_INVOICE: Level.INFO, DocumentKind.MAINTENANCE_REQUEST: Level.INFO,
    DocumentKind.CREDIT_NOTE: Level.WARNING,
}
_CENT = Decimal("0.01")


def _line_amounts(invoice: Invoice) -> list[Issue]:
    """Lines whose net is not quantity x price as the ERP will compute it (VosFactures
    derives a line from its gross total and shows a rounded unit price)."""
    issues = []
    for i, line in enumerate(invoice.lines):
        if None in (line.net_amount, line.quantity, line.unit_price_net):
            continue
        assert line.quantity is not None and line.unit_price_net is not None
        computed = (line.quantity * line.unit_price_net).quantize(_CENT, ROUND_HALF_UP)
        if computed != line.net_amount:
            issues.append(Issue(
                Level.WARNING, f"line {i + 1}: the ERP will compute {line.quantity} x "
                f"{line.unit_price_net} = {computed}, the source says {line.net_amount}; the "
                "source's amounts are kept in ExtendedProperties for the way back",
                "target.line_amount", f"$.lines[{i}].net_amount"))
    return issues


def _number_source(invoice: Invoice) -> Issue:
    """Which NoFacture the create will send, and where it comes from, said before any call:
    seed 003 requires it for Acomba (the sandbox's default), seed 004's example lets the
    ERP number the invoice (QuickBooks always does)."""
    if invoice.number:
        return Issue(Level.INFO, f"NoFacture {invoice.number!r} is sent: it is the source "
                     "document's number ($.number)", "target.number", "$.number")
    return Issue(Level.INFO, "no NoFacture is sent (the source document has no number): "
                 "QuickBooks numbers the invoice; Acomba requires one (seed 003), so give the "
                 "documents a number (a numbering rule in the sync file) before pushing to it",
                 "target.number", "$.number")


def check_lines(invoice: Any) -> tuple[Any, list[Issue]]:
    """What an ERP Connector create cannot take as it is: a priced line that names neither a
    product nor a product group (seed 003: strNoProduit is required on a product line; the
    ERP takes price, taxes and accounts from it), amounts in another currency than the
    Canadian dollar (the invoice has no currency field: the company's currency applies), a
    kind TypeDoc cannot say, a line the ERP will total differently."""
    if not isinstance(invoice, Invoice):
        return invoice, []
    issues = [Issue(Level.WARNING, f"line {i + 1} has a quantity but neither a product code "
                    "nor a product group; the ERP needs one of them (strNoProduit or "
                    "strNoGroupeProduit)", "target.product", f"$.lines[{i}].product_code")
              for i, line in enumerate(invoice.lines)
              if line.kind is LineKind.ITEM and line.quantity and not line.product_code
              and not line.group_code]
    if invoice.kind in _APPROXIMATED_KINDS:
        issues.append(Issue(_APPROXIMATED_KINDS[invoice.kind], f"ERP Connector has no "
                            f"TypeDoc for a {invoice.kind.value} document: it is written with "
                            "the closest one, and the kind kept in ExtendedProperties "
                            "(passeur.kind) so that reading it back restores it",
                            "target.kind", "$.kind"))
    if invoice.currency != "CAD":
        issues.append(Issue(Level.WARNING, f"the amounts are in {invoice.currency}; an ERP "
                            "Connector invoice has no currency and is read in the company's "
                            "currency (CAD)", "target.currency", "$.currency"))
    issues.append(_number_source(invoice))
    issues.extend(_line_amounts(invoice))
    return invoice, issues


FORMATS = (
    WireFormat(
        name="erpconnector.invoice", system="erpconnector", doctype="invoice",
        read=read_invoice, write=write_invoice, tax_rounding="document",
        max_taxes_per_line=0, rates_kept_in="ExtendedProperties (passeur.taxes)",
        line_kinds=frozenset({"item", "text", "blank", "product_group"}),
        allowance_charges=False,
        to_hub=infer_line_taxes, from_hub=check_lines,
        description="GET object, create payload (Facture wrapper) or create task result; "
        "writes the create payload",
    ),
)
