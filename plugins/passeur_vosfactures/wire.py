"""VosFactures' JSON forms: what `passeur convert` reads and writes for this system.

Read: a document as the API returns it (GET, or the answer to a create or update), or a
create/update request body, bare or wrapped (`{"invoice": {...}}`, `{"client": {...}}`).
Money comes as strings ("59.00") and is read as Decimal; a decimal comma ("59,00", which
the French documentation itself shows) is refused with the fix. Written: the request body
the create endpoint takes, wrapped, without the fields the API computes (ids, totals, token).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from passeur import (
    WRONG_SYSTEM,
    DocumentType,
    Issue,
    WireFormat,
    expect_object,
    not_this_system,
    read_fields,
    wire_error,
    write_fields,
)
from passeur_vosfactures.schema import CLIENT, DEPARTMENT, INVOICE, PAYMENT, PRODUCT
from passeur_vosfactures.taxes import fit_line_totals, read_hub

__all__ = ["FORMATS", "reader", "tax_ids", "tax_no", "writer"]

# the key a request body wraps each document type in
WRAPPERS = {"invoice": "invoice", "client": "client", "product": "product",
            "payment": "banking_payment", "department": "department"}

#: what a webhook call posts: an event about a document, not the document
_WEBHOOK_KEY = "deal"


def reader(doctype: DocumentType) -> Callable[[Any, str], tuple[dict[str, Any] | None,
                                                                   list[Issue]]]:
    """A reader for one document type, accepting it bare or wrapped."""
    wrapper = WRAPPERS[doctype.name]
    known = frozenset(spec.name for spec in doctype.fields)

    def read(value: Any, source: str = "") -> tuple[dict[str, Any] | None, list[Issue]]:
        shape = expect_object(value, f"a VosFactures {doctype.name}", source)
        if shape is not None:
            return None, [shape]
        path = "$"
        if isinstance(value.get(wrapper), dict):
            value, path = value[wrapper], f"$.{wrapper}"
        if _WEBHOOK_KEY in value:
            return None, [wire_error("this looks like a VosFactures webhook payload (an event), "
                                     "not a document", path, source, WRONG_SYSTEM)]
        if not known & value.keys():
            return None, [not_this_system(f"VosFactures {doctype.name}", path, source)]
        issues: list[Issue] = []
        return read_fields(value, doctype.fields, path, issues, source or None), issues

    return read


def writer(doctype: DocumentType) -> Callable[[dict[str, Any]], Any]:
    """A writer producing the wrapped create request body (without `api_token`)."""
    wrapper = WRAPPERS[doctype.name]

    def write(plain: dict[str, Any]) -> Any:
        return {wrapper: write_fields(plain, doctype.fields, "string", drop_read_only=True)}

    return write


def tax_ids(tax_no: Any) -> Any:
    """A `tax_no` as canonical identifiers: VosFactures' tax number is a VAT number unless
    its `tax_no_kind` says otherwise, so it is read as one ("" stays an empty list)."""
    if tax_no is None:
        return None
    text = str(tax_no)
    return [{"value": text, "scheme": "vat"}] if text else []


def tax_no(identifiers: Any) -> Any:
    """Inverse of `tax_ids`: the first VAT identifier (else the first one) of a party."""
    if identifiers is None:
        return None
    ids = [i for i in identifiers if isinstance(i, dict) and i.get("value") is not None]
    if not ids:
        return ""
    vat = [i for i in ids if i.get("scheme") == "vat"]
    return str((vat or ids)[0]["value"])


#: Sent with an invoice whose positions carry their net totals: VosFactures then starts each
#: line from its net (seed 002's `calculating_strategy`; all three values are required), so
#: a document taxed on its net (Québec, France) arrives with the source's net to the cent
#: instead of a net recomputed from each line's gross.
NET_STRATEGY = {"position": "default", "sum": "sum", "invoice_form_price_kind": "net"}
_PRICED = (None, "", "item", "product_group")


def write_invoice(plain: dict[str, Any]) -> Any:
    """The invoice create body, asking for net prices when every priced position has its
    net total (unless the mapping set a `calculating_strategy` itself)."""
    body = _write_invoice(plain)
    invoice = body["invoice"]
    positions = [p for p in invoice.get("positions") or []
                 if isinstance(p, dict) and p.get("kind") in _PRICED]
    if positions and "calculating_strategy" not in invoice and all(
            p.get("total_price_net") not in (None, "") for p in positions):
        invoice["calculating_strategy"] = dict(NET_STRATEGY)
    return body


read_invoice = reader(INVOICE)
_write_invoice = writer(INVOICE)

FORMATS = (
    WireFormat(
        name="vosfactures.invoice", system="vosfactures", doctype="invoice",
        read=read_invoice, write=write_invoice, tax_rounding="line", max_taxes_per_line=1,
        line_kinds=frozenset({"item", "text", "subtotal"}), allowance_charges=False,
        to_hub=read_hub, from_hub=fit_line_totals,
        description="API document or request body, bare or under `invoice`",
    ),
    *(WireFormat(name=f"vosfactures.{dt.name}", system="vosfactures", doctype=dt.name,
                 read=reader(dt), write=writer(dt), tax_rounding="line", max_taxes_per_line=1)
      for dt in (CLIENT, PRODUCT, PAYMENT, DEPARTMENT)),
)
