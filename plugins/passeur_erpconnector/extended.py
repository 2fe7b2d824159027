"""What passeur keeps in ERP Connector's `ExtendedProperties` so a round trip loses nothing.

An ERP Connector create takes no tax rate (the ERP computes taxes from the line's tax group),
no currency and only four document types, so a document converted to Acomba and back would
lose its line taxes, its currency and a kind such as "proforma". Seed 003 gives every
invoice and line an `ExtendedProperties` dictionary "for custom or ERP-specific properties";
passeur writes what the ERP cannot hold there, under keys starting with `passeur.`, as text
(the dictionary's value type is not documented; text is what any dictionary accepts):

- line `passeur.taxes`: the canonical taxes as compact JSON, e.g.
  `[{"scheme":"VAT","rate":"23"}]`; rates are strings so they stay exact decimals;
- invoice `passeur.kind` (`proforma`, `credit_note`...) and `passeur.currency` (`EUR`).

Reading an invoice back, these keys win over what the ERP says; a real Acomba invoice without
them is read as before (taxes inferred from `ListeDesTaxes`). The other keys of the dictionary
are the ERP's own and are kept in `extensions.erp`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from passeur import NumberError, parse_decimal

__all__ = ["PREFIX", "erp_own_properties", "erp_taxes", "erp_taxes_text"]

PREFIX = "passeur."

#: The keys of a tax, in the order they are written (left out when null or false).
_DECIMAL_KEYS = ("rate", "amount")
_FLAG_KEYS = ("compound", "disabled")
_ORDER = ("scheme", "rate", "category", "amount", "code", "registration", "exemption_reason",
          "exemption_code", "disabled", "compound")


def _fail(message: str) -> Exception:
    from passeur.dsl import FunctionError  # the compiler names the rule and the data path

    return FunctionError(message)


def _decimal_text(value: Any, key: str) -> str:
    try:
        number = parse_decimal(value)
    except NumberError:
        raise _fail(f"tax {key} {value!r} is not a number") from None
    return format(number, "f")


def _compact(tax: Any) -> dict[str, Any]:
    if not isinstance(tax, dict):
        raise _fail(f"a tax must be an object, got {tax!r}")
    unknown = sorted(set(tax) - set(_ORDER))
    if unknown:
        raise _fail(f"unknown tax field {unknown[0]!r}")
    out: dict[str, Any] = {"scheme": "VAT"}  # the canonical default, written to be read
    for key in _ORDER:
        value = tax.get(key)
        if key in _FLAG_KEYS:
            if value not in (None, False, True):
                raise _fail(f"tax {key} must be true or false, got {value!r}")
            if value:
                out[key] = True
        elif value is None:
            continue
        elif key in _DECIMAL_KEYS:
            out[key] = _decimal_text(value, key)
        elif isinstance(value, str):
            out[key] = value
        else:
            raise _fail(f"tax {key} must be text, got {value!r}")
    return out


def erp_taxes_text(taxes: Any) -> Any:
    """Canonical taxes -> the text kept in `passeur.taxes` (compact JSON, keys in a fixed
    order, rates as exact decimal strings). The inverse of `erp_taxes`."""
    if taxes is None:
        return None
    if not isinstance(taxes, list):
        raise _fail("taxes must be a list")
    return json.dumps([_compact(t) for t in taxes], ensure_ascii=False,
                      separators=(",", ":"))


def erp_taxes(text: Any) -> Any:
    """The text of `passeur.taxes` -> canonical taxes. Only text `erp_taxes_text` writes is
    accepted (anything else was not written by passeur and is refused, not guessed at)."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise _fail(f"passeur.taxes must be text, got {text!r}")
    try:
        raw = json.loads(text, parse_float=Decimal)
    except ValueError:
        raise _fail(f"passeur.taxes {text!r} is not the JSON passeur writes") from None
    if not isinstance(raw, list):
        raise _fail(f"passeur.taxes {text!r} is not a list of taxes")
    taxes = []
    for item in raw:
        tax = _compact(item)
        taxes.append({k: (parse_decimal(v) if k in _DECIMAL_KEYS else v) for k, v in tax.items()})
    if erp_taxes_text(taxes) != text:
        raise _fail(f"passeur.taxes {text!r} is not in the form passeur writes "
                    f"({erp_taxes_text(taxes)})")
    return taxes


def erp_own_properties(properties: Any) -> Any:
    """The ERP's own `ExtendedProperties`: the dictionary without passeur's keys (those are
    read into the canonical fields they came from)."""
    if not isinstance(properties, dict):
        return properties
    own = {k: v for k, v in properties.items() if not str(k).startswith(PREFIX)}
    if not own and properties:
        from passeur.dsl import ABSENT

        return ABSENT
    return own
