"""How the VosFactures sandbox reads the plain fields of a record, as the platform does.

The platform is a Rails application: a text column stores the text of a number sent
(`"buyer_name": 12` becomes `"12"`), a boolean column reads "true"/"1"/"yes" as true and
"false"/"0"/"off" as false, and a structure where a column expects one value is refused.
Storing what was sent as is would make the sandbox answer what the platform never does
(`"test": "true"`, `"number": "[1]"`) and break its own sorting later.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from passeur.sandbox import FieldErrors

__all__ = ["BOOLEAN_FIELDS", "STRUCTURED_FIELDS", "as_boolean", "plain_fields"]

INVALID = "n'est pas valide"

#: Fields the platform stores as booleans (seed 002 and the recorded responses).
BOOLEAN_FIELDS = frozenset({
    "test", "income", "show_discount", "reverse_charge", "use_moss", "use_oss",
    "use_delivery_address", "buyer_company", "client_company", "additional_info",
    "exclude_from_stock_level", "exclude_from_accounting", "not_cost", "use_issuer",
    "show_attachments", "split_payment", "company", "disabled", "service", "main", "paid",
    "active", "deleted", "cancelled", "skip_webhooks", "use_prime_cee",
})
#: Fields that carry a structure (object or list) by design.
STRUCTURED_FIELDS = frozenset({
    "positions", "additional_fields", "calculating_strategy", "invoice_ids", "external_ids",
    "correction_before_attributes", "correction_after_attributes", "recipients",
    "attachments", "buyer", "tags", "delivery_address_attributes", "package_products",
})
_FALSE = ("0", "f", "false", "off", "no", "n")


def as_boolean(value: Any) -> bool | None:
    """Rails' boolean cast: None and "" stay None, the false words are False, the rest True."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal):
        return value != 0
    return str(value).strip().lower() not in _FALSE


def plain_fields(data: dict[str, Any], errors: FieldErrors,
                 skip: frozenset[str] | tuple[str, ...] = (), prefix: str = "") -> dict[str, Any]:
    """`data` with booleans cast, numbers in text columns as their text, and structures
    where one value belongs refused (recorded in `errors`)."""
    result: dict[str, Any] = {}
    for key, value in data.items():
        if key in skip:
            continue
        if key in STRUCTURED_FIELDS:
            result[key] = value
        elif isinstance(value, dict | list):
            errors.add(f"{prefix}{key}", INVALID)
        elif key in BOOLEAN_FIELDS:
            result[key] = as_boolean(value)
        elif isinstance(value, bool) or value is None:
            result[key] = value
        elif isinstance(value, int | Decimal) and not key.endswith("_id") and key != "id":
            result[key] = format(value, "f") if isinstance(value, Decimal) else str(value)
        else:
            result[key] = value
    return result
