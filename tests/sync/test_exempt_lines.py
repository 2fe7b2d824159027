"""A VosFactures line at 0 % reaches Acomba in the tax group the ERP does not tax: ERP
Connector takes no rate, it taxes each line by its group (`NoGroupeTaxe`), so a line left
without one would be taxed at the company's TPS + TVQ. Checked against the ERP sandbox over
loopback: the invoice the ERP computes has the VosFactures totals to the cent."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from passeur import dump_json, load_registry
from passeur.engine.convert import Converter, parse_endpoint
from passeur.sandbox import serve_in_thread
from passeur_erpconnector import demo
from passeur_erpconnector.client import ErpConnectorClient
from passeur_erpconnector.sandbox import create_app

# 1 drill at 149.00 + TPS 5 % + TVQ 9.975 % = 171.31; 2 books at 15.00, zero-rated
VF_INVOICE = {"kind": "vat", "number": "FV 2024/06/001", "issue_date": "2024-06-01",
              "currency": "CAD", "buyer_name": "Atelier Beaulieu",
              "positions": [
                  {"name": "Perceuse sans fil 18 V", "code": "PERC-18", "quantity": "1",
                   "tax": "14.975", "total_price_gross": "171.31"},
                  {"name": "Vis à bois n° 8, boîte de 100", "code": "VIS-100",
                   "quantity": "2", "tax": "0", "total_price_gross": "16.98"}]}


def _payload() -> dict[str, Any]:
    registry = load_registry()
    converter = Converter(registry, parse_endpoint(registry, "vosfactures"),
                          parse_endpoint(registry, "acomba"))
    outcome = converter.convert(dict(VF_INVOICE))
    assert not outcome.failed, [str(i) for i in outcome.issues]
    payload: dict[str, Any] = json.loads(dump_json(outcome.output), parse_float=Decimal)
    payload["Facture"]["InfoClientFacturerA"] = {"NoClient": "BEAU01"}
    return payload


def test_a_zero_rated_vosfactures_line_is_of_the_untaxed_group_in_acomba() -> None:
    payload = _payload()
    lines = payload["Facture"]["LigneFacture"]
    assert [line.get("NoGroupeTaxe") for line in lines] == [None, "EXEMPT"]
    app = create_app(licence="L", secret="S", tax_group="TPS5_TVQ9975")
    demo.seed(app)  # the demo's customers and products (PERC-18 at 149.00, VIS-100 at 8.49)
    with serve_in_thread(app) as server:
        client = ErpConnectorClient(f"{server.base_url}/api", licence="L", secret="S",
                                    erp="acomba")
        try:
            client.create("invoice", payload)
        finally:
            client.close()
    stored = app.state.invoices["FV 2024/06/001"]
    taxes = {t["Taxe_Numero"]: Decimal(str(t["MontantTaxe"])) for t in stored["ListeDesTaxes"]}
    # by hand: taxes on 149.00 only (7.45 + 14.86), the 16.98 of books untaxed
    assert Decimal(str(stored["SousTotalFacture"])) == Decimal("165.98")
    assert taxes == {"T.P.S. 100%": Decimal("7.45"), "T.V.Q. 100%": Decimal("14.86")}
    assert Decimal(str(stored["TotalFacture"])) == Decimal("171.31") + Decimal("16.98")
