"""Round-trip laws of the shipped mappings, on generated documents (hypothesis).

For each mapping, documents the other side can fully hold go there and back unchanged:
system -> canonical -> system, and canonical -> system -> canonical.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from passeur import load_registry
from passeur.dsl import load_mapping
from passeur.model import Invoice
from passeur.serialize import structure, to_plain

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"


@cache
def _mapping(name: str) -> Any:
    [path] = MAPPINGS.rglob(name)  # mappings/<system>/<name>
    return load_mapping(path, load_registry())


def _clean(value: Any) -> Any:
    """Canonical plain form as the hub gives it (defaults left out)."""
    return to_plain(structure(value, Invoice))


money = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False,
                    allow_infinity=False)
quantity = st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False,
                       allow_infinity=False)
text = st.text("abcXYZ éàç0-/", min_size=1, max_size=10)
day = st.dates(datetime.date(2000, 1, 1), datetime.date(2030, 12, 31))
vat_rate = st.sampled_from(["20", "10", "5.5", "2.1", "0", "21", "12", "6", "23"])

vf_item = st.fixed_dictionaries(
    {"name": text, "quantity": quantity, "price_net": money, "tax": vat_rate},
    optional={"total_price_net": money, "total_price_gross": money, "code": text,
              "quantity_unit": st.sampled_from(["kg", "h", "pc"])})
vf_text = st.fixed_dictionaries({"name": text, "kind": st.just("text_separator")})
vf_invoice = st.fixed_dictionaries(
    {"kind": st.sampled_from(["vat", "estimate", "proforma", "correction", "client_order"]),
     "number": text, "issue_date": day, "currency": st.sampled_from(["EUR", "PLN", "CAD"]),
     "income": st.booleans(),  # always given by the API (a request may leave it out)
     # at least one position: the canonical model cannot tell "no lines" from "not given"
     "positions": st.lists(st.one_of(vf_item, vf_text), min_size=1, max_size=4)},
    optional={"payment_to": day, "buyer_name": text, "buyer_email": text, "seller_name": text,
              "buyer_city": text, "description": text})


@settings(max_examples=30, deadline=None)
@given(vf_invoice)
def test_vosfactures_to_canonical_and_back(document: dict[str, Any]) -> None:
    mapping = _mapping("vosfactures-invoice.map")
    canonical = mapping.forward(document)
    assert canonical.issues == []
    back = mapping.backward(_clean(canonical.value))
    assert back.issues == []
    assert back.value == document


@settings(max_examples=30, deadline=None)
@given(vf_invoice)
def test_canonical_to_vosfactures_and_back(document: dict[str, Any]) -> None:
    mapping = _mapping("vosfactures-invoice.map")
    canonical = _clean(mapping.forward(document).value)
    again = _clean(mapping.forward(mapping.backward(canonical).value).value)
    assert again == canonical


erp_product_line = st.fixed_dictionaries(
    {"strNoProduit": text, "QteFacture": quantity},
    optional={"PrixFinal": money, "QteCommande": quantity, "DescriptionLigne": text,
              "UniteMesure": text, "NoCompteGL": text, "MontantRabais_pct": money})
erp_comment_line = st.fixed_dictionaries({"DescriptionLigne": text})
erp_group_line = st.fixed_dictionaries(
    {"strNoGroupeProduit": text, "QteFacture": quantity, "PrixFinal": money,
     "DescriptionLigne": text})
erp_invoice = st.fixed_dictionaries(
    {"NoFacture": text, "DateFacture": day,
     "TypeDoc": st.sampled_from(["FACTURES", "COMMANDES", "SOUMISSIONS", "ACHATS"]),
     "InfoClientFacturerA": st.fixed_dictionaries({"NoClient": text},
                                                  optional={"NomClient": text}),
     "LigneFacture": st.lists(st.one_of(erp_product_line, erp_comment_line, erp_group_line),
                              min_size=1, max_size=4)},
    optional={"Description": text, "Référence": text, "NoVendeur": text,
              "ListeModePaiements": st.lists(st.fixed_dictionaries(
                  {"ModePaiement": st.integers(1, 200), "dbl_MontantPaiement": money}),
                  min_size=1, max_size=2)})  # [] and absent are one in the canonical model


@settings(max_examples=30, deadline=None)
@given(erp_invoice)
def test_erpconnector_to_canonical_and_back(document: dict[str, Any]) -> None:
    mapping = _mapping("erpconnector-invoice.map")
    canonical = mapping.forward(document)
    assert canonical.issues == []
    back = mapping.backward(_clean(canonical.value))
    assert back.issues == []
    assert back.value == document


@settings(max_examples=25, deadline=None)
@given(erp_invoice)
def test_acomba_to_vosfactures_and_back_keeps_what_vosfactures_holds(
        document: dict[str, Any]) -> None:
    mapping = _mapping("acomba-vosfactures-invoice.map")
    there = mapping.forward(document)
    back = mapping.backward(there.value)
    expected = dict(document)
    expected.pop("ListeModePaiements", None)  # becomes `paid`, cannot come back
    expected.pop("NoVendeur", None)  # VosFactures has no salesperson
    expected["LigneFacture"] = [
        {k: v for k, v in line.items()
         if k not in ("QteCommande", "strNoGroupeProduit", "NoCompteGL")}
        for line in document["LigneFacture"]]
    assert back.value["NoFacture"] == document["NoFacture"]
    assert back.value["TypeDoc"] == document["TypeDoc"]
    assert back.value["InfoClientFacturerA"]["NoClient"] == (
        document["InfoClientFacturerA"]["NoClient"])
    assert back.value["LigneFacture"] == expected["LigneFacture"]


def test_laws_hold_on_a_fixed_case() -> None:
    document = {"kind": "vat", "number": "1/2024", "issue_date": datetime.date(2024, 1, 2),
                "income": True,
                "currency": "EUR", "positions": [
                    {"name": "A", "quantity": Decimal("2"), "price_net": Decimal("10.00"),
                     "tax": "20"}]}
    mapping = _mapping("vosfactures-invoice.map")
    assert mapping.backward(_clean(mapping.forward(document).value)).value == document
