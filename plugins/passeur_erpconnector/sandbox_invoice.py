"""How the ERP Connector sandbox turns a create payload into an ERP invoice (seeds 003/004).

Taxes follow the response of seed 004: TPS on the subtotal, then TVQ on subtotal plus TPS
when the group is compound (the Québec rule before 2013), each rounded to the cent; a line's
`Montant_TotalLigne` is its subtotal times every tax factor, unrounded, as the ERP shows it.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import attrs

from passeur.sandbox import FieldErrors

__all__ = ["EXEMPT", "TAX_GROUPS", "TYPE_DOCS", "Catalogue", "Tax", "build_invoice", "num"]

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


#: Line fields the ERP keeps as sent (seed 003, LigneTransactions).
KEPT_LINE_FIELDS = ("NoGroupeTaxe", "NoCompteGL", "NoProjet", "UniteMesure", "TypeLigne")
#: Header fields the ERP keeps as sent (seed 003, FicheTransactions).
KEPT_FIELDS = ("NoVendeur", "NoTerritoire", "NoProjet", "NoCommandeRéférence",
               "NoSoumissionRéférence", "TermeDePaiement", "InfoClientLivrerA",
               "ExtendedProperties")
#: The tax group of a line that pays no tax (assumption: seed 003 names no group; any other
#: group is the company's own taxes).
EXEMPT = "EXEMPT"
HUNDRED = Decimal(100)


def _text(raw: dict[str, Any], key: str, path: str, errors: FieldErrors) -> str | None:
    """A code sent as text (a number is read as its text); anything else is refused."""
    value = raw.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    errors.add(f"{path}.{key}", "doit être un texte")
    return None


def _unit_price(raw: dict[str, Any], path: str, product: dict[str, Any] | None,
                errors: FieldErrors) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(PrixOrig, MontantRabais_pct, PrixFinal) of a line. `PrixFinal` is the price after
    the rabais (seed 003); without it, the rabais applies to `PrixOrig`, else to the
    product's price. Sending all three that disagree is refused."""
    orig = _decimal(raw.get("PrixOrig"), f"{path}.PrixOrig", errors)
    pct = _decimal(raw.get("MontantRabais_pct"), f"{path}.MontantRabais_pct", errors)
    final = _decimal(raw.get("PrixFinal"), f"{path}.PrixFinal", errors)
    if pct is not None and not 0 <= pct <= HUNDRED:
        errors.add(f"{path}.MontantRabais_pct", "doit être entre 0 et 100")
        return orig, None, final
    if orig is None and final is None and product is not None:
        orig = Decimal(str(product["PrixVente"]))
    if final is None and orig is not None:
        final = orig * (1 - (pct or 0) / HUNDRED)
    elif final is not None and orig is not None and pct is not None and _cents(
            orig * (1 - pct / HUNDRED)) != _cents(final):
        errors.add(f"{path}.PrixFinal", f"ne correspond pas à PrixOrig {num(orig)} moins "
                   f"{num(pct)} % de rabais")
    return orig, pct, final


def _line(raw: Any, index: int, catalogue: Catalogue, groups: dict[str, Decimal],
          default_group: str, errors: FieldErrors) -> dict[str, Any]:
    path = f"Facture.LigneFacture[{index}]"
    if not isinstance(raw, dict):
        errors.add(path, "doit être un objet")
        return {}
    code = _text(raw, "strNoProduit", path, errors) or ""
    product = catalogue.products.get(code) if code else None
    if code and product is None:
        errors.add(f"{path}.strNoProduit", f"produit {code!r} introuvable")
    group = (_text(raw, "strNoGroupeProduit", path, errors)
             or (product or {}).get("strNoGroupeProduit"))
    qty = _decimal(raw.get("QteFacture"), f"{path}.QteFacture", errors)
    ordered = _decimal(raw.get("QteCommande"), f"{path}.QteCommande", errors)
    orig, pct, price = _unit_price(raw, path, product, errors)
    sent_price = any(raw.get(k) is not None for k in ("PrixFinal", "PrixOrig"))
    # A text line is what a GET gives back for one too: no product, no price, QteFacture 0.
    is_comment = not code and not group and not sent_price and (qty is None or qty == 0)
    line: dict[str, Any] = {"NoLigneFacture": index + 1, "strNoProduit": code}
    if isinstance(raw.get("ExtendedProperties"), dict):  # seed 003: lines keep theirs too
        line["ExtendedProperties"] = dict(raw["ExtendedProperties"])
    for key in KEPT_LINE_FIELDS:
        if raw.get(key) is not None:
            line[key] = _text(raw, key, path, errors)
    if group:
        line["strNoGroupeProduit"] = str(group)
    description = raw.get("DescriptionLigne")
    if description is None:
        description = (product or {}).get("DescriptionProduit", "")
    elif not isinstance(description, str):
        errors.add(f"{path}.DescriptionLigne", "doit être un texte")
    line["DescriptionLigne"] = description
    if is_comment:
        line.update(QteFacture=0, Montant_SousTotalLigne=0)
        return line
    if qty is None:
        if raw.get("QteFacture") is None:
            errors.add(f"{path}.QteFacture", "obligatoire sur une ligne de produit")
        qty = Decimal(0)
    if price is None:
        if not code and raw.get("PrixFinal") is None:
            errors.add(f"{path}.PrixFinal", "obligatoire sans code de produit")
        price = Decimal(0)
    # Any group but EXEMPT is the company's taxes (assumption: the sandbox has one group).
    tax_group = EXEMPT if line.get("NoGroupeTaxe") == EXEMPT else default_group
    subtotal = _cents(qty * price)
    line["QteFacture"] = num(qty)
    # A product-group line keeps no ordered quantity (seed 004's response shows 0).
    line["QteCommande"] = num(ordered if ordered is not None else qty) if code else 0
    if orig is not None and (pct is not None or raw.get("PrixOrig") is not None):
        line["PrixOrig"] = num(orig)
    if pct is not None:
        line["MontantRabais_pct"] = num(pct)
    line["PrixFinal"] = num(price)
    if product is not None and product.get("PrixCoutant") is not None:
        line["PrixCoutant"] = num(Decimal(str(product["PrixCoutant"])))
    line["Montant_SousTotalLigne"] = num(subtotal)
    line["Montant_TotalLigne"] = num(subtotal * groups.get(tax_group, Decimal(1)))
    return line


def _factor(taxes: tuple[Tax, ...]) -> Decimal:
    factor = Decimal(1)
    for tax in taxes:
        factor = factor * (1 + tax.rate) if tax.compound else factor + tax.rate
    return factor


def _date(facture: dict[str, Any], errors: FieldErrors) -> str:
    """The day of `DateFacture` ("2024-04-24" or "2024-04-24T00:00:00"), checked as a date."""
    value = facture.get("DateFacture")
    if value in (None, ""):
        errors.add("Facture.DateFacture", "obligatoire")
        return ""
    text = str(value) if isinstance(value, str) else ""
    try:
        if len(text) > 10:
            datetime.datetime.fromisoformat(text)
        return datetime.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        errors.add("Facture.DateFacture", f"date invalide: {str(value)[:40]!r}")
        return ""


def build_invoice(facture: dict[str, Any], catalogue: Catalogue, taxes: tuple[Tax, ...],
                  errors: FieldErrors, tax_group: str = "") -> dict[str, Any]:
    """The ERP's record of an invoice (`FullTransaction`), without its number yet.

    `SousTotalFacture` is the lines' subtotal plus `FraisDeTransport` (the canonical net);
    taxes are computed per document on it less the lines of group `EXEMPT` (untaxed).
    """
    type_doc = facture.get("TypeDoc", "FACTURES")
    if not isinstance(type_doc, str) or type_doc not in TYPE_DOCS:
        errors.add("Facture.TypeDoc", f"doit être l'un de {', '.join(TYPE_DOCS)}")
        type_doc = "FACTURES"
    day = _date(facture, errors)
    bill_to = facture.get("InfoClientFacturerA")
    customer = None
    client_number = bill_to.get("NoClient") if isinstance(bill_to, dict) else None
    if not isinstance(client_number, str | int) or isinstance(client_number, bool) or (
            client_number in ("", 0)):
        errors.add("Facture.InfoClientFacturerA.NoClient", "obligatoire")
    else:
        customer = catalogue.customers.get(str(client_number))
        if customer is None:
            errors.add("Facture.InfoClientFacturerA.NoClient",
                       f"client {str(client_number)[:40]!r} introuvable")
    raw_lines = facture.get("LigneFacture")
    if not isinstance(raw_lines, list) or not raw_lines:
        errors.add("Facture.LigneFacture", "au moins une ligne est obligatoire")
        raw_lines = []
    groups = {tax_group: _factor(taxes), EXEMPT: Decimal(1)}
    lines = [_line(raw, i, catalogue, groups, tax_group, errors)
             for i, raw in enumerate(raw_lines)]
    shipping = _decimal(facture.get("FraisDeTransport"), "Facture.FraisDeTransport", errors)
    for key in ("Référence", "Description"):
        if facture.get(key) is not None and not isinstance(facture[key], str):
            errors.add(f"Facture.{key}", "doit être un texte")
    if errors:
        return {}
    subtotal = sum((Decimal(str(line["Montant_SousTotalLigne"])) for line in lines),
                   Decimal(0)) + (shipping or 0)
    exempt = sum((Decimal(str(line["Montant_SousTotalLigne"])) for line in lines
                  if line.get("NoGroupeTaxe") == EXEMPT), Decimal(0))
    taxable = subtotal - exempt
    amounts: list[Decimal] = []
    for tax in taxes:
        base = taxable + sum(amounts, Decimal(0)) if tax.compound else taxable
        amounts.append(_cents(base * tax.rate))
    total = subtotal + sum(amounts, Decimal(0))
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
    if shipping is not None:
        record["FraisDeTransport"] = num(shipping)
    for key in KEPT_FIELDS:
        if key in facture:
            record[key] = facture[key]
    return record
