"""Advance and final invoices as the VosFactures sandbox builds them (seed 002).

An advance (`kind: advance`) copied from an estimate bills a share of it: `advance_creation_mode`
`percent` (`advance_value` percent of its gross) or `amount` (`advance_value` of gross). The
share is split by tax rate in proportion to the estimate's gross per rate, so each rate keeps
its tax. A final invoice (`kind: final`) copied from the estimate with `invoice_ids` of its
advances takes the estimate's positions and deducts each advance, one negative position per
advance and rate. The computed positions carry `total_price_gross` only: the sandbox derives
their net as for any position.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from passeur.sandbox import FieldErrors
from passeur_vosfactures.sandbox_money import money, parse_decimal

__all__ = ["ADVANCE_MODES", "advance_positions", "final_deductions"]

CENT = Decimal("0.01")
ADVANCE_MODES = ("percent", "amount")


def _gross_by_rate(record: dict[str, Any]) -> dict[str, Decimal]:
    rates: dict[str, Decimal] = {}
    for p in record["positions"]:
        rates[p["tax"]] = rates.get(p["tax"], Decimal(0)) + Decimal(p["total_price_gross"])
    return {rate: gross for rate, gross in rates.items() if gross}


def _split(total: Decimal, weights: dict[str, Decimal]) -> dict[str, Decimal]:
    """`total` in cents, in proportion to `weights`; the last rate takes the remainder."""
    whole = sum(weights.values(), Decimal(0))
    parts: dict[str, Decimal] = {}
    rest = total
    for i, (rate, weight) in enumerate(weights.items()):
        if i == len(weights) - 1:
            parts[rate] = rest
        else:
            parts[rate] = (total * weight / whole).quantize(CENT, rounding=ROUND_HALF_UP)
            rest -= parts[rate]
    return parts


def advance_positions(source: dict[str, Any], data: dict[str, Any],
                      errors: FieldErrors) -> list[dict[str, Any]]:
    """The positions of an advance on `source` (an estimate, usually)."""
    mode = data.get("advance_creation_mode")
    if mode not in ADVANCE_MODES:
        errors.add("advance_creation_mode", f"n'est pas inclus(e) dans la liste "
                   f"({', '.join(ADVANCE_MODES)})")
        return []
    value = parse_decimal(data.get("advance_value"), "advance_value", errors)
    if value is None:
        if "advance_value" not in errors.fields:
            errors.add("advance_value", "doit être rempli(e)")
        return []
    weights = _gross_by_rate(source)
    whole = sum(weights.values(), Decimal(0))
    share = (whole * value / 100).quantize(CENT, rounding=ROUND_HALF_UP) if (
        mode == "percent") else value.quantize(CENT, rounding=ROUND_HALF_UP)
    if mode == "percent" and not 0 < value <= 100:
        errors.add("advance_value", "doit être compris entre 0 et 100")
    elif share <= 0 or share > whole:
        errors.add("advance_value", f"doit être compris entre 0 et le total du document "
                   f"({money(whole)})")
    if errors or not weights:
        return []
    name = data.get("position_name") or (
        f"Acompte de {value.normalize():f}% sur {source['number']}" if mode == "percent"
        else f"Acompte sur {source['number']}")
    return [{"name": name, "tax": rate, "quantity": 1, "total_price_gross": gross}
            for rate, gross in _split(share, weights).items()]


def final_deductions(source: dict[str, Any], advances: list[dict[str, Any]]) -> list[
        dict[str, Any]]:
    """One negative position per advance and tax rate, to add to the estimate's positions."""
    deductions = []
    for advance in advances:
        for rate, gross in _gross_by_rate(advance).items():
            deductions.append({"name": f"Acompte {advance['number']}", "tax": rate,
                               "quantity": 1, "total_price_gross": -gross})
    return deductions
