"""The scenario `passeur demo` runs: an Acomba company (through ERP Connector) kept in step
with a VosFactures account, both as local sandboxes.

The Acomba side is seeded as a user would fill it: Québec customers, a catalogue, invoices
with every line kind of seed 004 (a product line, a comment, a blank line, a line billed on a
product group without a product, a shipped line), TPS 5 % + TVQ 9.975 %, and a credit note
(an Acomba FACTURES with negative quantities). Between the two runs, two invoices are edited
and one is added.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from passeur.sync import DemoScenario, DemoSide

__all__ = ["scenario"]

TODAY = "2024-06-03"
CUSTOMERS = {
    "BEAU01": ("Atelier Beaulieu inc.", "1200 rue Principale", "Granby", "J2G 8C8",
               "compta@atelier-beaulieu.example"),
    "TREM02": ("Construction Tremblay ltée", "45 boulevard Talbot", "Saguenay", "G7H 2B1",
               "factures@tremblay.example"),
    "LAVO03": ("Quincaillerie Lavoie", "8 rue du Pont", "Québec", "G1R 4P5",
               "lavoie@quincaillerie.example"),
}
PRODUCTS = {
    "LAME-40": ("Lame 40 dents", "126", Decimal("26.09"), Decimal("11.50")),
    "PERC-18": ("Perceuse sans fil 18 V", "127", Decimal("149.00"), Decimal("82.00")),
    "VIS-100": ("Vis à bois n° 8, boîte de 100", "128", Decimal("8.49"), Decimal("3.10")),
}


def _lines(kind: int) -> list[dict[str, Any]]:
    """Invoice lines; every invoice mixes kinds, so the set covers all of seed 004's."""
    base: list[list[dict[str, Any]]] = [
        [{"strNoProduit": "CAThermo", "QteFacture": 4},
         {"DescriptionLigne": "Livraison prévue la semaine du 29 avril"},
         {"strNoProduit": "SCIE-10", "QteCommande": 3, "QteFacture": 3}],
        [{"strNoProduit": "PERC-18", "QteFacture": 2},
         {"DescriptionLigne": ""},
         {"strNoProduit": "VIS-100", "QteFacture": 12}],
        [{"QteFacture": 1, "QteCommande": 1, "strNoGroupeProduit": "115",
          "DescriptionLigne": "Installation sur place (groupe de produits)",
          "PrixFinal": Decimal("26.09")},
         {"strNoProduit": "LAME-40", "QteFacture": 5}],
    ]
    return [dict(line) for line in base[kind % len(base)]]


def _invoices() -> list[dict[str, Any]]:
    customers = list(CUSTOMERS)
    out = []
    for n in range(6):
        out.append({"NoFacture": str(10044 + n), "TypeDoc": "FACTURES",
                    "DateFacture": f"2024-05-{n * 4 + 2:02d}",
                    "Référence": "From OERP",  # seed 004's own: never an idempotency key
                    "Description": f"Commande {n + 1} de {CUSTOMERS[customers[n % 3]][0]}",
                    "InfoClientFacturerA": {"NoClient": customers[n % 3]},
                    "LigneFacture": _lines(n)})
    out.append({"NoFacture": "10050", "TypeDoc": "FACTURES", "DateFacture": "2024-05-28",
                "Référence": "Avoir sur 10045", "Description": "Note de crédit : retour de "
                "2 perceuses (facture 10045)", "InfoClientFacturerA": {"NoClient": "TREM02"},
                "LigneFacture": [{"strNoProduit": "PERC-18", "QteFacture": -2}]})
    return out


def _create(state: Any, facture: dict[str, Any]) -> None:
    status, answer = state.create({"Facture": facture}, if_none_match=True)
    if status != 201:  # pragma: no cover - the demo data is valid by construction
        raise RuntimeError(f"the demo could not seed Acomba invoice {facture['NoFacture']}: "
                           f"{answer.get('ResultMessage')}")


def seed(sandbox: Any) -> int:
    state = sandbox.state
    for number, (name, street, city, post_code, email) in CUSTOMERS.items():
        state.catalogue.customers[number] = {
            "NoClient": number, "NomClient": name, "Adresse": street, "Ville": city,
            "CodePostal": post_code, "Pays": "CA", "EmailPrincipal_Adresse": email,
            "NoUniqueSystemeSource": str(2000 + len(state.catalogue.customers))}
    for code, (name, group, price, cost) in PRODUCTS.items():
        state.catalogue.products[code] = {"strNoProduit": code, "DescriptionProduit": name,
                                          "strNoGroupeProduit": group, "PrixVente": price,
                                          "PrixCoutant": cost}
    invoices = _invoices()
    for facture in invoices:
        _create(state, facture)
    return len(invoices)


def _replace(state: Any, facture: dict[str, Any]) -> None:
    state.invoices.pop(facture["NoFacture"])
    _create(state, facture)


def change(sandbox: Any) -> list[str]:
    state = sandbox.state
    invoices = {f["NoFacture"]: f for f in _invoices()}
    first = invoices["10045"]
    first["LigneFacture"][2]["QteFacture"] = 20
    _replace(state, first)
    second = invoices["10047"]
    second["Description"] = "Commande 4, livraison express"
    _replace(state, second)
    _create(state, {"NoFacture": "10051", "TypeDoc": "FACTURES", "DateFacture": "2024-06-03",
                    "Référence": "From OERP", "Description": "Commande de juin",
                    "InfoClientFacturerA": {"NoClient": "LAVO03"},
                    "LigneFacture": _lines(2)})
    return ["10045: 20 boxes of screws instead of 12",
            "10047: new description (express delivery)",
            "10051: a new invoice for Quincaillerie Lavoie"]


def scenario() -> DemoScenario:
    """`SystemSpec.demo` of ERP Connector: Acomba -> VosFactures."""
    return DemoScenario(
        name="acomba-vosfactures",
        title="Acomba (ERP Connector) -> VosFactures",
        source=DemoSide("acomba", {"erp": "acomba", "tax_group": "TPS5_TVQ9975",
                                   "today": TODAY, "licence": "demo-licence",
                                   "secret": "demo-secret"},
                        lambda url: {"base_url": f"{url}/api", "company_id": "1",
                                     "licence": {"env": "PASSEUR_DEMO_ACOMBA_LICENCE"},
                                     "secret": {"env": "PASSEUR_DEMO_ACOMBA_SECRET"}}),
        target=DemoSide("vosfactures", {"token": "demo-token", "today": TODAY},
                        lambda url: {"base_url": url,
                                     "api_token": {"env": "PASSEUR_DEMO_VF_TOKEN"}}),
        seed=seed, change=change,
        environment={"PASSEUR_DEMO_ACOMBA_LICENCE": "demo-licence",
                     "PASSEUR_DEMO_ACOMBA_SECRET": "demo-secret",
                     "PASSEUR_DEMO_VF_TOKEN": "demo-token"})
