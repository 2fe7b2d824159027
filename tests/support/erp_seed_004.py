"""Seed 004's ERP Connector create payload, shared by the sandbox and client tests."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

#: Seed 004's create payload, comments removed, numbers exactly as written there.
SEED_004 = """{
  "Facture": {
    "TypeDoc": "FACTURES", "Référence": "From OERP", "Description": "From OERP",
    "DateFacture": "2024-04-24",
    "InfoClientFacturerA": {"NoClient": "0Comptoir"},
    "LigneFacture": [
      {"QteFacture": 4, "strNoProduit": "CAThermo"},
      {"DescriptionLigne": "Il est aussi possible de simplement pousser une ligne de texte"},
      {"DescriptionLigne": ""},
      {"QteFacture": 1, "QteCommande": 1, "strNoGroupeProduit": "115",
       "DescriptionLigne": "Il est aussi possible de ne facturer que sur le Groupe de produit",
       "PrixFinal": 26.09},
      {"QteCommande": 3, "QteFacture": 3, "strNoProduit": "SCIE-10"}
    ]
  },
  "ListeModePaiements": null,
  "ReturnFullTransaction": true
}"""


def seed_payload(**facture: Any) -> dict[str, Any]:
    """Seed 004's payload (exact Decimals) with `facture` fields added to its `Facture`."""
    payload = json.loads(SEED_004, parse_float=Decimal)
    payload["Facture"].update(facture)
    return payload


def seed_004_invoice(number: str = "10044") -> dict[str, Any]:
    """The `Facture` alone with the number Acomba requires and `ListeModePaiements` inside,
    as a client's `create("invoice", ...)` takes it."""
    invoice: dict[str, Any] = seed_payload(NoFacture=number)["Facture"]
    invoice["ListeModePaiements"] = None
    return invoice
