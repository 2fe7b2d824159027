"""What an ERP Connector sandbox knows before the first request: seed 004's customer and
products (so its example payload gives its example totals), plus generated data on demand."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from passeur.sandbox import DataGenerator
from passeur_erpconnector.sandbox_invoice import Catalogue

if TYPE_CHECKING:
    from passeur_erpconnector.sandbox import ErpState

__all__ = ["QUEBEC_CITIES", "default_catalogue", "seed_erp"]

#: The generator's companies are French; an ERP behind ERP Connector keeps Québec customers
#: (`Pays` "CA"), so their city and postal code are Québec ones, taken in turn.
QUEBEC_CITIES = (("H2X 1Y4", "Montréal"), ("G1R 4P5", "Québec"), ("J4K 2T5", "Longueuil"),
                 ("J8X 3X7", "Gatineau"), ("J1H 5N4", "Sherbrooke"), ("G9A 5H7", "Trois-Rivières"),
                 ("H7N 4Y2", "Laval"), ("G7H 2B1", "Saguenay"))


def default_catalogue() -> Catalogue:
    """Seed 004's counter customer and the two products its example invoices."""
    catalogue = Catalogue()
    catalogue.customers["0Comptoir"] = {
        "NoClient": "0Comptoir", "NomClient": "Ventes au comptoir", "NoUniqueSystemeSource": "1",
        "Adresse": "", "Ville": "", "CodePostal": "", "Pays": "CA"}
    catalogue.products["CAThermo"] = {
        "strNoProduit": "CAThermo", "DescriptionProduit": "Armoire en Thermo-plastique",
        "strNoGroupeProduit": "115", "PrixVente": 122, "PrixCoutant": 35}
    catalogue.products["SCIE-10"] = {
        "strNoProduit": "SCIE-10",
        "DescriptionProduit": "Scie à onglets 10\" avec guide de coupe à laser",
        "strNoGroupeProduit": "126", "PrixVente": "174.99", "PrixCoutant": "89.99"}
    return catalogue


def seed_erp(state: ErpState, invoices: int, random_seed: int, today: datetime.date) -> None:
    """Add generated customers, products and `invoices` invoices (numbered in date order)."""
    if invoices <= 0:
        return
    gen = DataGenerator(random_seed, today)
    catalogue = state.catalogue
    codes = []
    for product in gen.products():
        code = f"PROD-{product.code[1:]}"
        codes.append(code)
        catalogue.products[code] = {
            "strNoProduit": code, "DescriptionProduit": product.name,
            "strNoGroupeProduit": str(100 + len(codes)), "PrixVente": product.price_net,
            "PrixCoutant": (product.price_net * 4 / 10).quantize(product.price_net)}
    customers = []
    for i in range(max(1, invoices // 4)):
        company = gen.company()
        post_code, city = QUEBEC_CITIES[i % len(QUEBEC_CITIES)]
        number = f"C{i + 1:04d}"
        customers.append(number)
        catalogue.customers[number] = {
            "NoClient": number, "NomClient": company.name,
            "NoUniqueSystemeSource": str(1000 + i), "Adresse": company.street,
            "Ville": city, "CodePostal": post_code, "Pays": "CA",
            "EmailPrincipal_Adresse": company.email}
    for day in sorted(gen.date_within(730) for _ in range(invoices)):
        lines: list[dict[str, Any]] = [
            {"strNoProduit": codes[gen.pick(len(codes))], "QteFacture": gen.quantity()}
            for _ in range(1 + gen.pick(3))]
        body = {"Facture": {"TypeDoc": "FACTURES", "DateFacture": day.isoformat(),
                            "InfoClientFacturerA": {"NoClient": customers[gen.pick(
                                len(customers))]},
                            "LigneFacture": lines}}
        if state.number_required:
            body["Facture"]["NoFacture"] = str(state.next_free_number())
        polls, state.pending_polls = state.pending_polls, 0
        status, answer = state.create(body, if_none_match=True)
        state.pending_polls = polls
        if status != 201:  # pragma: no cover - generated data is valid by construction
            raise AssertionError(answer)
