"""How the ERP Connector sandbox turns a create payload into an ERP invoice (seeds 003/004).

Taxes follow the response of seed 004: TPS on the subtotal, then TVQ on subtotal plus TPS
when the group is compound (the Québec rule before 2013), each rounded to the cent; a line's
`Montant_TotalLigne` is its subtotal times every tax factor, unrounded, as the ERP shows it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import attrs

from passeur.sandbox import FieldErrors

__all__ = ["TAX_GROUPS", "TYPE_DOCS", "Catalogue", "Tax", "build_invoice", "num"]

CENT = Decimal("0.01")

#: TypeDoc names and the number the ERP writes back (FACTURES = 1 per seed 004; the other
#: numbers are an assumption).
TYPE_DOCS = {"FACTURES": 1, "COMMANDES": 2, "SOUMISSIONS": 3, "ACHATS": 4}


@attrs.frozen
class Tax:
    number: str
    description: str
    rate: Decimal
    compound: bool  # computed on the subtotal plus the taxes before it
    legal_number: str


#: Tax groups by name; `TPS7_TVQ75` reproduces seed 004's response, `TPS5_TVQ9975` is today's.
TAX_GROUPS: dict[str, tuple[Tax, ...]] = {
    "TPS7_TVQ75": (
        Tax("T.P.S. 100%", "Taxe sur les produits et services", Decimal("0.07"), False,
            "RT100393939933"),
        Tax("T.V.Q. 100%", "Taxe de Vente Québec", Decimal("0.075"), True, "TQ1000292929922"),
    ),
    "TPS5_TVQ9975": (
        Tax("T.P.S. 100%", "Taxe sur les produits et services", Decimal("0.05"), False,
            "RT100393939933"),
        Tax("T.V.Q. 100%", "Taxe de Vente Québec", Decimal("0.09975"), False,
            "TQ1000292929922"),
    ),
}


def num(value: Decimal) -> Decimal:
    """A Decimal without trailing zeros (488, 561.322), as the ERP writes its numbers."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@attrs.define
class Catalogue:
    """Products and customers the ERP already knows, by their numbers."""

    products: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    customers: dict[str, dict[str, Any]] = attrs.field(factory=dict)


def _decimal(value: Any, field: str, errors: FieldErrors) -> Decimal | None:
    return None if value is None else errors.number(value, field, "doit être un nombre")


def _line(raw: Any, index: int, catalogue: Catalogue, factor: Decimal,
          errors: FieldErrors) -> dict[str, Any]:
    path = f"Facture.LigneFacture[{index}]"
    if not isinstance(raw, dict):
        errors.add(path, "doit être un objet")
        return {}
    code = raw.get("strNoProduit") or ""
    product = catalogue.products.get(code) if code else None
    if code and product is None:
        errors.add(f"{path}.strNoProduit", f"produit {code!r} introuvable")
    group = raw.get("strNoGroupeProduit") or (product or {}).get("strNoGroupeProduit")
    qty = _decimal(raw.get("QteFacture"), f"{path}.QteFacture", errors)
    ordered = _decimal(raw.get("QteCommande"), f"{path}.QteCommande", errors)
    price = _decimal(raw.get("PrixFinal"), f"{path}.PrixFinal", errors)
    # A text line is what a GET gives back for one too: no product, no price, QteFacture 0.
    is_comment = not code and not group and price is None and (qty is None or qty == 0)
    line: dict[str, Any] = {"NoLigneFacture": index + 1, "strNoProduit": code}
    if isinstance(raw.get("ExtendedProperties"), dict):  # seed 003: lines keep theirs too
        line["ExtendedProperties"] = dict(raw["ExtendedProperties"])
    if group:
        line["strNoGroupeProduit"] = str(group)
    description = raw.get("DescriptionLigne")
    if description is None:
        description = (product or {}).get("DescriptionProduit", "")
    line["DescriptionLigne"] = description
    if is_comment:
        line.update(QteFacture=0, Montant_SousTotalLigne=0)
        return line
    if qty is None:
        errors.add(f"{path}.QteFacture", "obligatoire sur une ligne de produit")
        qty = Decimal(0)
    if price is None:
        if product is None:
            if not code:
                errors.add(f"{path}.PrixFinal", "obligatoire sans code de produit")
            price = Decimal(0)
        else:
            price = Decimal(str(product["PrixVente"]))
    subtotal = _cents(qty * price)
    line["QteFacture"] = num(qty)
    # A product-group line keeps no ordered quantity (seed 004's response shows 0).
    line["QteCommande"] = num(ordered if ordered is not None else qty) if code else 0
    line["PrixFinal"] = num(price)
    if product is not None and product.get("PrixCoutant") is not None:
        line["PrixCoutant"] = num(Decimal(str(product["PrixCoutant"])))
    line["Montant_SousTotalLigne"] = num(subtotal)
    line["Montant_TotalLigne"] = num(subtotal * factor)
    return line


def build_invoice(facture: dict[str, Any], catalogue: Catalogue, taxes: tuple[Tax, ...],
                  errors: FieldErrors) -> dict[str, Any]:
    """The ERP's record of an invoice (`FullTransaction`), without its number yet."""
    type_doc = facture.get("TypeDoc", "FACTURES")
    if type_doc not in TYPE_DOCS:
        errors.add("Facture.TypeDoc", f"doit être l'un de {', '.join(TYPE_DOCS)}")
    date = str(facture.get("DateFacture") or "")
    if not date:
        errors.add("Facture.DateFacture", "obligatoire")
    elif len(date) < 10 or not date[:4].isdigit():
        errors.add("Facture.DateFacture", f"date invalide: {date!r}")
    bill_to = facture.get("InfoClientFacturerA")
    customer = None
    if not isinstance(bill_to, dict) or not bill_to.get("NoClient"):
        errors.add("Facture.InfoClientFacturerA.NoClient", "obligatoire")
    else:
        customer = catalogue.customers.get(str(bill_to["NoClient"]))
        if customer is None:
            errors.add("Facture.InfoClientFacturerA.NoClient",
                       f"client {bill_to['NoClient']!r} introuvable")
    raw_lines = facture.get("LigneFacture")
    if not isinstance(raw_lines, list) or not raw_lines:
        errors.add("Facture.LigneFacture", "au moins une ligne est obligatoire")
        raw_lines = []
    factor = Decimal(1)
    for tax in taxes:
        factor = factor * (1 + tax.rate) if tax.compound else factor + tax.rate
    lines = [_line(raw, i, catalogue, factor, errors) for i, raw in enumerate(raw_lines)]
    if errors:
        return {}
    subtotal = sum((Decimal(str(line["Montant_SousTotalLigne"])) for line in lines),
                   Decimal(0))
    amounts: list[Decimal] = []
    for tax in taxes:
        base = subtotal + sum(amounts, Decimal(0)) if tax.compound else subtotal
        amounts.append(_cents(base * tax.rate))
    total = subtotal + sum(amounts, Decimal(0))
    day = date[:10]
    record: dict[str, Any] = {
        "NoFacture": None, "NoUniqueSystemeSource": None, "TypeDoc": TYPE_DOCS[type_doc],
        "Référence": facture.get("Référence", ""), "Description": facture.get("Description", ""),
        "DateFacture": f"{day}T00:00:00", "SousTotalFacture": num(subtotal),
        "TotalFacture": num(total), "MontantNonPaye": num(total),
        "ListeDesTaxes": [{"Taxe_Numero": t.number, "Taxe_Description": t.description,
                           "MontantTaxe": num(a), "Taxe_NumeroLegalGouv": t.legal_number}
                          for t, a in zip(taxes, amounts, strict=True)],
        "InfoClientFacturerA": dict(customer or {}),
        "LigneFacture": lines, "NbLignes": len(lines),
        "EstActif": True, "EstInversee": False,
    }
    for key in ("NoVendeur", "NoTerritoire", "NoProjet", "FraisDeTransport",
                "NoCommandeRéférence", "NoSoumissionRéférence", "ExtendedProperties"):
        if key in facture:
            record[key] = facture[key]
    return record
