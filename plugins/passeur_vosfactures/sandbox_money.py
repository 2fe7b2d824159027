"""How the VosFactures sandbox computes and writes amounts: positions, totals, wire strings.

Every amount is a Decimal rounded half-up to the cent at the step where the real software
rounds (each line total, then sums of lines); the wire carries them as strings written
like the platform writes them ("12.3", "100.0", "58.32").
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from passeur.sandbox import FieldErrors

__all__ = ["NO_TAX", "cents", "compute_position", "money", "parse_decimal", "quantity_text",
           "tax_rate", "tax_text"]

CENT = Decimal("0.01")
NO_TAX = ("disabled", "np", "zw")
AMOUNT_FIELDS = ("total_price_gross", "price_gross", "total_price_net", "price_net")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: Decimal) -> str:
    """An amount as the API writes it, rounded to the cent and without a trailing zero
    (the recorded responses: "339.99", "81.3", "100.0", "0.0", "-10.0")."""
    text = f"{cents(value):.2f}"
    return text[:-1] if text.endswith("0") else text


def quantity_text(value: Decimal) -> str:
    """A quantity as the API writes it ("13.0", "2.5")."""
    if value == value.to_integral_value():
        return f"{int(value)}.0"
    return format(value.normalize(), "f")


def parse_decimal(value: Any, field: str, errors: FieldErrors) -> Decimal | None:
    """A number sent as JSON number or string ("10,20" accepted); None when absent/blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        value = value.strip().replace(",", ".")
    return errors.number(value, field, "n'est pas un nombre")


def tax_text(value: Any, field: str, errors: FieldErrors) -> str:
    """The tax of a position as the API writes it: "20", "5.5", or "disabled"/"np"."""
    if value is None or value == "":
        return "disabled"
    if isinstance(value, str) and value.strip().lower() in NO_TAX:
        return value.strip().lower()
    rate = parse_decimal(value, field, errors)
    if rate is None:
        return "disabled"
    if rate < 0 or rate >= 100:
        errors.add(field, "doit être compris entre 0 et 100")
    normal = rate.normalize()
    return format(normal, "f") if normal != normal.to_integral_value() else str(int(normal))


def tax_rate(text: str) -> Decimal:
    return Decimal(0) if text in NO_TAX else Decimal(text) / 100


def compute_position(raw: dict[str, Any], product: dict[str, Any] | None, prefix: str,
                     errors: FieldErrors) -> dict[str, Any]:
    """The amounts of one position, from whichever price it was given.

    Precedence follows the documentation's "computed when omitted": a total including tax,
    then a unit price including tax, a total excluding tax, a unit price excluding tax, and
    finally the catalogue product's price.
    """
    kind = raw.get("kind")
    quantity = parse_decimal(raw.get("quantity"), f"{prefix}.quantity", errors)
    if quantity is None:
        quantity = Decimal(0) if kind in ("text_separator", "subtotal") else Decimal(1)
    tax_source = raw.get("tax", product.get("tax") if product else None)
    tax = tax_text(tax_source, f"{prefix}.tax", errors)
    if kind in ("text_separator", "subtotal"):
        zero = Decimal(0)
        return {"quantity": quantity, "tax": tax, "price_net": zero, "price_gross": zero,
                "total_price_net": zero, "total_price_gross": zero}
    given = {name: parse_decimal(raw.get(name), f"{prefix}.{name}", errors)
             for name in AMOUNT_FIELDS}
    factor = 1 + tax_rate(tax)
    if given["total_price_gross"] is not None:
        gross = cents(given["total_price_gross"])
        net = cents(gross / factor)
    elif given["price_gross"] is not None:
        gross = cents(given["price_gross"] * quantity)
        net = cents(gross / factor)
    elif given["total_price_net"] is not None:
        net = cents(given["total_price_net"])
        gross = cents(net * factor)
    else:
        unit = given["price_net"]
        if unit is None and product is not None:
            unit = Decimal(product["price_net"])
        net = cents((unit or Decimal(0)) * quantity)
        gross = cents(net * factor)
    if quantity:
        unit_net, unit_gross = cents(net / quantity), cents(gross / quantity)
    else:
        unit_net = unit_gross = Decimal(0)
    if given["price_net"] is not None and given["total_price_gross"] is None:
        unit_net = cents(given["price_net"])
    return {"quantity": quantity, "tax": tax, "price_net": unit_net, "price_gross": unit_gross,
            "total_price_net": net, "total_price_gross": gross}
