"""The field schemas of ERP Connector and VosFactures cover the seeds and the real responses."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from passeur import FieldSpec, load_registry
from passeur_erpconnector.schema import INVOICE as ERP_INVOICE
from passeur_erpconnector.schema import INVOICE_CREATE, SUPPORT
from passeur_vosfactures.schema import CLIENT, INVOICE

TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "vosfactures"
GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"


def _names_unique(fields: tuple[FieldSpec, ...], where: str) -> None:
    dupes = [n for n, k in Counter(f.name for f in fields).items() if k > 1]
    assert dupes == [], where
    for spec in fields:
        _names_unique(spec.fields, f"{where}.{spec.name}")


def test_no_field_is_declared_twice() -> None:
    registry = load_registry()
    for system in ("erpconnector", "vosfactures"):
        for doctype in registry.system(system).document_types:
            _names_unique(doctype.fields, f"{system}.{doctype.name}")


def test_support_matrix_of_seed_003() -> None:
    granted = {erp: ERP_INVOICE.capabilities_for(erp).granted() for erp in SUPPORT}
    assert granted == {
        "acomba": ("list", "get", "create"), "quickbooks": ("list", "get", "create"),
        "avantage": ("list", "get"), "sage50": (), "servex": (), "servicentre": (),
    }
    assert not any(ERP_INVOICE.capabilities_for(erp).update for erp in SUPPORT)


def test_nofacture_required_for_acomba_generated_by_quickbooks() -> None:
    spec = ERP_INVOICE.field("NoFacture")
    assert spec is not None
    assert spec.is_required("acomba") is True
    assert spec.is_required("quickbooks") is False
    assert "quickbooks" in spec.generated_in


def test_every_key_of_the_seed_payloads_is_declared() -> None:
    payload = json.loads((GOLDEN / "acomba_seed004" / "input.json").read_text())
    for key in payload:
        assert INVOICE_CREATE.field(key) is not None, key
    created = json.loads((GOLDEN / "acomba_seed003_created" / "input.json").read_text())
    full = created["ResultPayload"]["FullTransaction"]
    for key, value in full.items():
        assert ERP_INVOICE.field(key) is not None, key
        if isinstance(value, list):
            for item in value:
                for sub in item:
                    assert ERP_INVOICE.resolve([key, sub]) is not None, (key, sub)
        if isinstance(value, dict):
            for sub in value:
                assert ERP_INVOICE.resolve([key, sub]) is not None, (key, sub)


@pytest.mark.parametrize("name", ["invoice_get.json", "invoice_get2.json", "invoice_created.json",
                                  "invoice_put_status_response.json", "invoice_create.json"])
def test_every_key_of_the_real_invoices_is_declared(name: str) -> None:
    document = json.loads((TESTDATA / name).read_text())
    for key in document:
        assert INVOICE.field(key) is not None, key
    for position in document.get("positions", []):
        for key in position:
            assert INVOICE.resolve(["positions", key]) is not None, key


@pytest.mark.parametrize("name", ["client_get.json", "client_created.json", "client_create.json"])
def test_every_key_of_the_real_clients_is_declared(name: str) -> None:
    for key in json.loads((TESTDATA / name).read_text()):
        assert CLIENT.field(key) is not None, key


def test_read_only_fields_are_marked() -> None:
    for name in ("id", "price_net", "price_gross", "price_tax", "token", "view_url"):
        spec = INVOICE.field(name)
        assert spec is not None and spec.read_only, name
    for name in ("TotalFacture", "SousTotalFacture", "MontantNonPaye", "ListeDesTaxes"):
        spec = ERP_INVOICE.field(name)
        assert spec is not None and spec.read_only, name
    assert INVOICE.field("number") is not None and not INVOICE.field("number").read_only  # type: ignore[union-attr]


def test_every_kind_of_seed_002_is_allowed() -> None:
    kind = INVOICE.field("kind")
    assert kind is not None
    assert set(kind.allowed) >= {"vat", "correction", "advance", "final", "estimate", "proforma",
                                 "client_order", "receipt", "invoice_other",
                                 "maintenance_request", "payment_receipt", "kp", "kw"}
    position_kind = INVOICE.resolve(["positions", "kind"])
    assert position_kind is not None
    assert set(position_kind.allowed) == {"text_separator", "subtotal", "correction",
                                          "correction_before", "correction_after"}
