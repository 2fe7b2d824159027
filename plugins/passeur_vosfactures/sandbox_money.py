"""How the VosFactures sandbox computes and writes amounts: positions, totals, wire strings.

Every amount is a Decimal rounded half-up to the cent at the step where the real software
rounds (each line total, then sums of lines); the wire carries them as strings written
like the platform writes them ("12.3", "100.0", "58.32").
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from passeur.sandbox import FieldErrors

__all__ = ["DEFAULT_STRATEGY", "DISCOUNT_KINDS", "NO_TAX", "cents", "compute_position",
           "document_totals", "money", "parse_decimal", "parse_strategy", "quantity_text",
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


#: Seed 002's `calculating_strategy` values, and the account default the sandbox assumes
#: (unit prices including tax, each line from its price, totals as sums of lines).
STRATEGY_VALUES = {"position": ("default", "keep_gross"), "sum": ("sum", "keep_gross", "keep_net"),
                   "invoice_form_price_kind": ("net", "gross")}
DEFAULT_STRATEGY = {"position": "default", "sum": "sum", "invoice_form_price_kind": "gross"}
DISCOUNT_KINDS = ("amount", "percent_unit", "percent_unit_gross", "percent_total")
#: How far a sent gross may be from the sent net times the rate (a cent of rounding each
#: way, plus the cent a total-fitting writer moves a line by).
TOLERANCE = Decimal("0.02")


def parse_strategy(value: Any, errors: FieldErrors) -> dict[str, str]:
    """`calculating_strategy`: seed 002 requires all three values when it is sent."""
    if value in (None, ""):
        return dict(DEFAULT_STRATEGY)
    if not isinstance(value, dict):
        errors.add("calculating_strategy", "n'est pas valide")
        return dict(DEFAULT_STRATEGY)
    strategy = {}
    for key, allowed in STRATEGY_VALUES.items():
        given = value.get(key)
        if given in (None, ""):
            errors.add(f"calculating_strategy.{key}", "doit être rempli(e) (les 3 valeurs "
                       "position, sum et invoice_form_price_kind sont obligatoires)")
        elif given not in allowed:
            errors.add(f"calculating_strategy.{key}", f"n'est pas inclus(e) dans la liste "
                       f"({', '.join(allowed)})")
        else:
            strategy[key] = given
    return DEFAULT_STRATEGY | strategy


def _discounted(raw: dict[str, Any], kind: str | None, net: Decimal, gross: Decimal,
                factor: Decimal, prefix: str,
                errors: FieldErrors) -> tuple[Decimal, Decimal]:
    """A line's (net, gross) after its discount (seed 002: prices are sent before it)."""
    amount = parse_decimal(raw.get("discount"), f"{prefix}.discount", errors)
    percent = parse_decimal(raw.get("discount_percent"), f"{prefix}.discount_percent", errors)
    if amount is None and percent is None:
        return net, gross
    if kind is None:
        errors.add("discount_kind", "doit être rempli(e) pour une réduction "
                   f"({', '.join(DISCOUNT_KINDS)})")
        return net, gross
    if kind == "amount":
        if amount is None:
            errors.add(f"{prefix}.discount", "doit être rempli(e) (discount_kind amount)")
            return net, gross
        gross = cents(gross - amount)
        return cents(gross / factor), gross
    if percent is None:
        errors.add(f"{prefix}.discount_percent", f"doit être rempli(e) (discount_kind {kind})")
        return net, gross
    if not 0 <= percent <= 100:
        errors.add(f"{prefix}.discount_percent", "doit être compris entre 0 et 100")
        return net, gross
    keep = 1 - percent / 100
    if kind == "percent_unit":  # on the unit price excluding tax
        net = cents(net * keep)
        return net, cents(net * factor)
    gross = cents(gross * keep)  # percent_unit_gross, percent_total: on the gross
    return cents(gross / factor), gross


def compute_position(raw: dict[str, Any], product: dict[str, Any] | None, prefix: str,
                     errors: FieldErrors, strategy: dict[str, str] | None = None,
                     discount_kind: str | None = None) -> dict[str, Any]:
    """The amounts of one position, from whichever price it was given.

    Seed 002 says the net amounts and unit prices are "computed when omitted": what is sent
    is kept. A position sent with both `total_price_net` and `total_price_gross` keeps
    both (they must agree with the rate within TOLERANCE); otherwise the first amount sent
    decides, in the order of the document's price kind (`invoice_form_price_kind`: gross
    first by default, net first when "net"), then the catalogue product. With `position:
    keep_gross`, a sent gross total is kept and the net follows from it. The discount, if
    any, applies last.
    """
    strategy = strategy or DEFAULT_STRATEGY
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
    gross_total, net_total = given["total_price_gross"], given["total_price_net"]
    sources = {"total_price_gross": lambda v: ("gross", v),
               "price_gross": lambda v: ("gross", v * quantity),
               "total_price_net": lambda v: ("net", v),
               "price_net": lambda v: ("net", v * quantity)}
    order = list(AMOUNT_FIELDS)
    if strategy["invoice_form_price_kind"] == "net":
        order = ["total_price_net", "price_net", "total_price_gross", "price_gross"]
    if strategy["position"] == "keep_gross" and gross_total is not None:
        order = ["total_price_gross"]
    if gross_total is not None and net_total is not None and strategy["position"] != (
            "keep_gross"):
        gross, net = cents(gross_total), cents(net_total)
        # Checked against the position's own rate; a rate taken from the catalogue product
        # does not overrule the amounts sent (assumption, see docs/sandboxes.md).
        if "tax" in raw and abs(gross - net * factor) > TOLERANCE:
            errors.add(f"{prefix}.total_price_gross", f"ne correspond pas à total_price_net "
                       f"{money(net)} au taux {tax}")
    else:
        first = next((name for name in order if given[name] is not None), None)
        if first is None:
            unit = Decimal(product["price_net"]) if product is not None else Decimal(0)
            side, value = "net", unit * quantity
        else:
            side, value = sources[first](given[first])
        if side == "gross":
            gross = cents(value)
            net = cents(gross / factor)
        else:
            net = cents(value)
            gross = cents(net * factor)
    net, gross = _discounted(raw, discount_kind, net, gross, factor, prefix, errors)
    if quantity:
        unit_net, unit_gross = cents(net / quantity), cents(gross / quantity)
    else:
        unit_net = unit_gross = Decimal(0)
    if given["price_net"] is not None and given["total_price_gross"] is None:
        unit_net = cents(given["price_net"])
    return {"quantity": quantity, "tax": tax, "price_net": unit_net, "price_gross": unit_gross,
            "total_price_net": net, "total_price_gross": gross}


def document_totals(positions: list[dict[str, Any]], strategy: dict[str, str]) -> tuple[
        Decimal, Decimal]:
    """(net, gross) of a document from its positions (written amounts), by `sum`: "sum"
    adds the lines; "keep_net" adds the nets and computes the tax per rate on them;
    "keep_gross" adds the grosses and computes the net per rate from them."""
    net = sum((Decimal(p["total_price_net"]) for p in positions), Decimal(0))
    gross = sum((Decimal(p["total_price_gross"]) for p in positions), Decimal(0))
    mode = strategy.get("sum", "sum")
    if mode == "sum":
        return net, gross
    by_rate: dict[str, tuple[Decimal, Decimal]] = {}
    for p in positions:
        n, g = by_rate.get(p["tax"], (Decimal(0), Decimal(0)))
        by_rate[p["tax"]] = (n + Decimal(p["total_price_net"]), g + Decimal(p["total_price_gross"]))
    if mode == "keep_net":
        tax = sum((cents(n * tax_rate(rate)) for rate, (n, _) in by_rate.items()), Decimal(0))
        return net, net + tax
    net = sum((cents(g / (1 + tax_rate(rate))) for rate, (_, g) in by_rate.items()), Decimal(0))
    return net, gross
