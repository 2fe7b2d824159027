"""Realistic fake business data from a seeded generator: companies, people, products, dates.

Sandboxes pre-load documents that look like a real account (valid SIREN and VAT check digits,
plausible prices, dates spread over two years) so that filters and pagination have something
to bite on; the same seed always gives the same data.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import attrs

__all__ = ["Company", "DataGenerator", "Product"]

_FIRST = ("Camille", "Louis", "Chloé", "Hugo", "Léa", "Gabriel", "Manon", "Jules", "Emma",
          "Arthur", "Sophie", "Olivier", "Nathalie", "Mathieu", "Isabelle", "Étienne")
_LAST = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
         "Leroy", "Moreau", "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier")
_STEMS = ("Atelier", "Boulangerie", "Menuiserie", "Cabinet", "Garage", "Imprimerie",
          "Quincaillerie", "Librairie", "Brasserie", "Transports", "Studio", "Pépinière")
_SUFFIXES = ("SARL", "SAS", "SA", "EURL", "& Fils", "inc.", "ltée")
_STREETS = ("rue de la République", "avenue Jean Jaurès", "boulevard Victor Hugo",
            "rue des Lilas", "chemin des Vignes", "place du Marché", "rue Saint-Denis",
            "boulevard René-Lévesque", "rue Sainte-Catherine", "avenue du Parc")
_CITIES = (("75011", "Paris"), ("69003", "Lyon"), ("13001", "Marseille"), ("31000", "Toulouse"),
           ("44000", "Nantes"), ("33000", "Bordeaux"), ("59000", "Lille"), ("67000", "Strasbourg"),
           ("06000", "Nice"), ("35000", "Rennes"))
_PRODUCTS = (("Heure de conseil", "90.00", "20"), ("Maintenance serveur", "100.00", "20"),
             ("Formation (jour)", "650.00", "20"), ("Ramette papier A4", "5.90", "20"),
             ("Cartouche d'encre", "34.50", "20"), ("Livre technique", "42.00", "5.5"),
             ("Déplacement", "0.60", "20"), ("Abonnement logiciel", "29.00", "20"),
             ("Scie à onglets 10\"", "174.99", "20"), ("Armoire thermoplastique", "122.00", "20"),
             ("Repas d'affaires", "23.00", "10"), ("Transport marchandises", "85.00", "20"))


@attrs.frozen
class Company:
    name: str
    first_name: str
    last_name: str
    street: str
    post_code: str
    city: str
    country: str
    email: str
    phone: str
    siren: str
    tax_no: str


@attrs.frozen
class Product:
    code: str
    name: str
    price_net: Decimal
    tax: Decimal  # percent


def _luhn_complete(digits: str) -> str:
    """Append the Luhn check digit (SIREN numbers are Luhn-valid)."""
    total = 0
    for i, char in enumerate(reversed(digits + "0")):
        value = int(char)
        if i % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return digits + str((10 - total % 10) % 10)


class DataGenerator:
    """Seeded source of plausible records; `today` anchors every generated date."""

    def __init__(self, seed: int, today: datetime.date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self._companies = 0

    def company(self) -> Company:
        rng = self.rng
        self._companies += 1
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        name = f"{rng.choice(_STEMS)} {last} {rng.choice(_SUFFIXES)}"
        post_code, city = rng.choice(_CITIES)
        siren = _luhn_complete(f"{rng.randrange(10**7, 10**8):08d}")
        key = (12 + 3 * (int(siren) % 97)) % 97
        slug = "".join(c for c in last.lower() if c.isascii() and c.isalpha()) or "contact"
        return Company(
            name=name, first_name=first, last_name=last,
            street=f"{rng.randrange(1, 200)} {rng.choice(_STREETS)}",
            post_code=post_code, city=city, country="FR",
            email=f"{slug}{self._companies}@example.com",
            phone=f"0{rng.randrange(1, 6)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} "
                  f"{rng.randrange(10, 99)} {rng.randrange(10, 99)}",
            siren=siren, tax_no=f"FR{key:02d}{siren}")

    def products(self) -> list[Product]:
        """The whole catalogue, one product per known article."""
        return [Product(code=f"P{i + 1:03d}", name=name, price_net=Decimal(price),
                        tax=Decimal(tax)) for i, (name, price, tax) in enumerate(_PRODUCTS)]

    def quantity(self) -> Decimal:
        return Decimal(self.rng.choice((1, 1, 1, 2, 3, 4, 5, 10, 12)))

    def date_within(self, days: int) -> datetime.date:
        """A date between `days` days ago and today."""
        return self.today - datetime.timedelta(days=self.rng.randrange(0, days + 1))

    def pick(self, count: int) -> int:
        """An index in range(count)."""
        return self.rng.randrange(count)
